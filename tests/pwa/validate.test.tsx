// @vitest-environment happy-dom
// The validate screen in each of its states: ready, wrong / used / expired (each its own look and words,
// the digits kept and selected, the message under the field), locked (from the failure that locks, from
// a 429, after a reload), the lock's end, a success (focus on the grant), and a draft offered back.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { Validate } from '../../pwa/src/screens/Validate';
import { forgetAll, keep } from '../../pwa/src/lib/memory';
import { DRAFT_KEY, emptyDraft } from '../../pwa/src/lib/draft';
import { fakeFetch, grant, makeMe, renderWith } from './helpers';

beforeEach(() => forgetAll());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const tokenField = () => screen.getByLabelText('Token') as HTMLInputElement;
function fill(token: string, reason = 'patient crashing') {
  fireEvent.input(tokenField(), { target: { value: token } });
  fireEvent.input(screen.getByLabelText('Reason'), { target: { value: reason } });
}
const submit = () => fireEvent.click(screen.getByRole('button', { name: 'Validate' }));
const miss = (code: string, details: Record<string, unknown>, headers: Record<string, string> = {}) => ({
  status: 422,
  headers,
  body: { error: { code, message: 'x', details } },
});

describe('Validate screen: ready', () => {
  it('has a numeric one-time-code token field with a label and a hint', () => {
    renderWith(<Validate />);
    const input = tokenField();
    expect(input.getAttribute('inputmode')).toBe('numeric');
    expect(input.getAttribute('autocomplete')).toBe('one-time-code');
    expect(input.getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Emergency access' })).toBeTruthy();
    expect(screen.getByLabelText(/Patient reference/)).toBeTruthy();
  });

  it('keeps only digits and checks the form before sending anything', async () => {
    const { calls } = fakeFetch({});
    renderWith(<Validate />);
    fireEvent.input(tokenField(), { target: { value: '12a' } });
    expect(tokenField().value).toBe('12');
    submit();
    expect(await screen.findByText('Enter the token: 4 to 6 digits.')).toBeTruthy();
    expect(screen.getByText('Give a reason of at least 3 characters.')).toBeTruthy();
    expect(tokenField().getAttribute('aria-invalid')).toBe('true');
    expect(calls).toHaveLength(0);
  });

  it('says plainly when the connection failed, and sends nothing again by itself', async () => {
    const { fn } = fakeFetch({});
    fn.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    renderWith(<Validate />);
    fill('123456');
    submit();
    expect(await screen.findByText(/No connection\. Nothing was sent/)).toBeTruthy();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('offline: the button is disabled and says validation needs a connection', () => {
    const spy = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    renderWith(<Validate />);
    expect(screen.getByText('Validation needs a connection.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Validate' }) as HTMLButtonElement).disabled).toBe(true);
    spy.mockRestore();
  });

  it('shows the stock, with a warning and a request shortcut under the threshold; none at or above it', () => {
    renderWith(<Validate />, { me: makeMe({ tokens: { available: 2 }, lowTokenThreshold: 5 }) });
    expect(screen.getByTestId('stock').textContent).toContain('You hold 2 tokens');
    expect(screen.getByText(/Running low \(under 5\)/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Request more' }).getAttribute('href')).toBe('/tokens');
    cleanup();
    renderWith(<Validate />, { me: makeMe({ tokens: { available: 5 }, lowTokenThreshold: 5 }) });
    expect(screen.queryByText(/Running low/)).toBeNull();
  });

  it('speaks Bahasa Indonesia', () => {
    renderWith(<Validate />, { lang: 'id' });
    expect(screen.getByRole('heading', { name: 'Akses darurat' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Validasi' })).toBeTruthy();
  });
});

describe('Validate screen: a wrong, used or expired token', () => {
  it.each([
    ['token_invalid', 'invalid', 'Not a valid token. Check the digits and try again.'],
    ['token_used', 'used', 'Already used. This token has already been used. Use another of your tokens.'],
    ['token_expired', 'expired', 'Expired. This token has expired. Use another of your tokens.'],
  ])('%s: its own look and words right under the field, digits kept and selected, field invalid', async (code, kind, words) => {
    fakeFetch({ 'POST /api/v1/tokens/validate': miss(code, { attemptsLeft: 3 }) });
    renderWith(<Validate />);
    fill('111111');
    submit();
    const message = await waitFor(() => {
      const el = screen.getByTestId('validate-form').querySelector<HTMLElement>(`.field-error[data-kind="${kind}"]`);
      if (!el) throw new Error('no message yet');
      return el;
    });
    expect(message.textContent).toBe(`${words} 3 tries left before validation is locked.`);
    const field = tokenField();
    // Right under the field (before the hint), and what the field is described by.
    expect(field.nextElementSibling).toBe(message);
    expect(field.getAttribute('aria-describedby')?.split(' ')[0]).toBe(message.id);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.value).toBe('111111');
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect([field.selectionStart, field.selectionEnd]).toEqual([0, 6]);
    // Not the lock's look.
    expect(screen.queryByTestId('lock-panel')).toBeNull();
  });

  it('the three look different from each other', async () => {
    const classes: string[] = [];
    for (const code of ['token_invalid', 'token_used', 'token_expired']) {
      fakeFetch({ 'POST /api/v1/tokens/validate': miss(code, { attemptsLeft: 2 }) });
      renderWith(<Validate />);
      fill('111111');
      submit();
      classes.push(await waitFor(() => (screen.getByTestId('validate-form').querySelector('.field-error[data-kind]') as HTMLElement).className));
      cleanup();
    }
    expect(new Set(classes).size).toBe(3);
  });

  it('says "1 try left" in the singular; editing the digits clears the error', async () => {
    fakeFetch({ 'POST /api/v1/tokens/validate': miss('token_invalid', { attemptsLeft: 1 }) });
    renderWith(<Validate />);
    fill('111111');
    submit();
    expect(await screen.findByText(/1 try left before validation is locked\./)).toBeTruthy();
    fireEvent.input(tokenField(), { target: { value: '11111' } });
    expect(tokenField().getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByText(/try left/)).toBeNull();
  });
});

describe('Validate screen: locked out', () => {
  it('the failure that locks (attemptsLeft 0) is the lock at once: panel, disabled form, said once, server asked for the time left', async () => {
    // The phone's clock runs 10 minutes fast: the lock is read against the server's Date header.
    const serverNow = Date.now() - 10 * 60_000;
    fakeFetch({
      'POST /api/v1/tokens/validate': miss(
        'token_invalid',
        { attemptsLeft: 0, lockedUntil: new Date(serverNow + 15 * 60_000).toISOString() },
        { Date: new Date(serverNow).toUTCString() },
      ),
    });
    const { session } = renderWith(<Validate />, { me: makeMe({ ward: { escalationText: 'Call the charge nurse on 1234.', idleLockMinutes: 5 } }) });
    fill('111111');
    submit();
    const panel = await screen.findByTestId('lock-panel');
    expect(panel.querySelector('h2')!.textContent).toBe('Validation is locked');
    expect(screen.getByTestId('lock-when').textContent).toMatch(/^You can try again in 1[45] min, at \d\d[:.]\d\d\.$/);
    expect(screen.getByTestId('escalation').textContent).toBe('Call the charge nurse on 1234.');
    expect((screen.getByRole('button', { name: 'Validate' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('validate-form').querySelector('fieldset') as HTMLFieldSetElement).disabled).toBe(true);
    // No "0 tries left" error: the lock replaces it.
    expect(screen.queryByText(/tries left/)).toBeNull();
    expect(screen.getByTestId('validate-announce').textContent).toMatch(/^Validation is locked for 1[45] minutes, until /);
    expect(session.refresh).toHaveBeenCalled();
    await waitFor(() => expect(document.activeElement?.id).toBe('lock-title'));
  });

  it('a 429 is the lock too, with the default advice when the ward has set none', async () => {
    fakeFetch({
      'POST /api/v1/tokens/validate': {
        status: 429,
        headers: { 'Retry-After': '900' },
        body: { error: { code: 'too_many_attempts', message: 'x', details: { retryAfterSeconds: 900 } } },
      },
    });
    renderWith(<Validate />);
    fill('111111');
    submit();
    await screen.findByTestId('lock-panel');
    expect(screen.getByTestId('lock-when').textContent).toMatch(/in 15 min/);
    expect(screen.getByTestId('escalation').textContent).toBe(
      "Ask a colleague to open emergency access with one of their tokens, and follow your ward's emergency procedure.",
    );
  });

  it('after a reload the lock comes from GET /me; the countdown is for the eye only, said once, and the form opens when it ends', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const me = makeMe({ validationLock: { lockedUntil: new Date(Date.now() + 125_000).toISOString(), retryAfterSeconds: 125 } });
    renderWith(<Validate />, { me });
    expect(screen.getByTestId('lock-panel')).toBeTruthy();
    expect(screen.getByTestId('lock-when').textContent).toMatch(/in 3 min/);
    expect(screen.getByTestId('lock-panel').closest('[aria-live]')).toBeNull();
    const announced = screen.getByTestId('validate-announce').textContent;
    await act(() => void vi.advanceTimersByTime(70_000));
    expect(screen.getByTestId('lock-when').textContent).toMatch(/in less than a minute/);
    expect(screen.getByTestId('validate-announce').textContent).toBe(announced);
    await act(() => void vi.advanceTimersByTime(60_000));
    expect(screen.queryByTestId('lock-panel')).toBeNull();
    expect(screen.getByTestId('lock-ended').textContent).toBe('The lock has ended. You can validate again.');
    expect(screen.getByTestId('validate-announce').textContent).toBe('The lock has ended. You can validate again.');
    expect((screen.getByRole('button', { name: 'Validate' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('in Bahasa Indonesia', () => {
    renderWith(<Validate />, {
      lang: 'id',
      me: makeMe({ validationLock: { lockedUntil: new Date(Date.now() + 600_000).toISOString(), retryAfterSeconds: 600 } }),
    });
    expect(screen.getByRole('heading', { name: 'Validasi dikunci' })).toBeTruthy();
    expect(screen.getByTestId('lock-when').textContent).toMatch(/^Anda dapat mencoba lagi dalam 10 menit, pukul /);
  });
});

describe('Validate screen: success and the grant', () => {
  it('sends the token as JSON, shows the grant and puts focus on it', async () => {
    const g = grant(30);
    const { calls } = fakeFetch({ 'POST /api/v1/tokens/validate': { body: { grant: g } } });
    let me = makeMe();
    const view = renderWith(<Validate />, { me, session: { patch: vi.fn((p) => (me = { ...me, ...p })) } });
    fill('123456');
    fireEvent.input(screen.getByLabelText(/Patient reference/), { target: { value: 'MRN-42' } });
    submit();
    await waitFor(() => expect(view.session.patch).toHaveBeenCalledWith({ grant: g, tokens: { available: 6 } }));
    expect(calls[0]!.headers['Content-Type']).toBe('application/json');
    expect(calls[0]!.body).toEqual({ token: '123456', reason: 'patient crashing', patientRef: 'MRN-42' });
    // The session now holds the grant (as the app's state would): the grant shows and has focus.
    view.rerenderWith(<Validate />, { me });
    await waitFor(() => expect(document.activeElement?.id).toBe('grant-title'));
    expect(screen.getByText('Emergency access granted')).toBeTruthy();
  });

  it('shows the grant with its countdown and record link; ending it asks first', async () => {
    const { calls } = fakeFetch({ 'POST /api/v1/emergency-session/clear': { status: 204 } });
    const { session } = renderWith(<Validate />, { me: makeMe({ grant: grant(10) }) });
    expect(screen.getByTestId('countdown').textContent).toMatch(/^(10:00|9:5\d)$/);
    expect(screen.getByRole('link', { name: 'Write emergency record' }).getAttribute('href')).toBe('/record');
    fireEvent.click(screen.getByRole('button', { name: 'End session' }));
    const dialog = await screen.findByTestId('confirm');
    expect(dialog.textContent).toContain('End emergency access now?');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('confirm')).toBeNull());
    expect(calls).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'End session' }));
    fireEvent.click(await screen.findByRole('button', { name: 'End access' }));
    await waitFor(() => expect(session.patch).toHaveBeenCalledWith({ grant: null }));
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/v1/emergency-session/clear', body: {} });
  });

  it('offers back a record left unsaved when an earlier grant ended; discarding asks first', async () => {
    keep(DRAFT_KEY, { ...emptyDraft('u1'), complaint: 'Chest pain', patientName: 'Pak Agus' });
    renderWith(<Validate />, { me: makeMe({ grant: grant(30) }) });
    const offer = screen.getByTestId('draft-offer');
    expect(offer.textContent).toMatch(/You have an unsaved record, last changed at/);
    expect(screen.getByRole('link', { name: 'Continue the unsaved record' }).getAttribute('href')).toBe('/record');
    fireEvent.click(screen.getByRole('button', { name: 'Discard it' }));
    expect((await screen.findByTestId('confirm')).textContent).toContain('Discard the unsaved record?');
    fireEvent.click(screen.getAllByRole('button', { name: 'Discard it' }).at(-1)!);
    await waitFor(() => expect(screen.queryByTestId('draft-offer')).toBeNull());
    expect(screen.getByRole('link', { name: 'Write emergency record' })).toBeTruthy();
  });

  it("never offers someone else's draft", () => {
    keep(DRAFT_KEY, { ...emptyDraft('someone-else'), complaint: 'Their notes' });
    renderWith(<Validate />, { me: makeMe({ grant: grant(30) }) });
    expect(screen.queryByTestId('draft-offer')).toBeNull();
  });
});
