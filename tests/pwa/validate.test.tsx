// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { Validate } from '../../pwa/src/screens/Validate';
import { fakeFetch, grant, makeMe, renderWith } from './helpers';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function fill(token: string, reason = 'patient crashing') {
  fireEvent.input(screen.getByLabelText('Token'), { target: { value: token } });
  fireEvent.input(screen.getByLabelText('Reason'), { target: { value: reason } });
}

describe('Validate screen', () => {
  it('has a numeric one-time-code token field with a label and a hint', () => {
    renderWith(<Validate />);
    const input = screen.getByLabelText('Token') as HTMLInputElement;
    expect(input.getAttribute('inputmode')).toBe('numeric');
    expect(input.getAttribute('autocomplete')).toBe('one-time-code');
    expect(input.getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getByLabelText(/Patient reference/)).toBeTruthy();
  });

  it('keeps only digits and checks the form before sending anything', async () => {
    const { calls } = fakeFetch({});
    renderWith(<Validate />);
    fireEvent.input(screen.getByLabelText('Token'), { target: { value: '12a' } });
    expect((screen.getByLabelText('Token') as HTMLInputElement).value).toBe('12');
    fireEvent.click(screen.getByRole('button', { name: 'Validate' }));
    expect(await screen.findByText('Enter the token: 4 to 6 digits.')).toBeTruthy();
    expect(screen.getByText('Give a reason of at least 3 characters.')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('sends the token as JSON and shows the grant on success', async () => {
    const g = grant(30);
    const { calls } = fakeFetch({ 'POST /api/v1/tokens/validate': { body: { grant: g } } });
    const { session } = renderWith(<Validate />);
    fill('123456');
    fireEvent.input(screen.getByLabelText(/Patient reference/), { target: { value: 'MRN-42' } });
    fireEvent.click(screen.getByRole('button', { name: 'Validate' }));
    await waitFor(() => expect(session.patch).toHaveBeenCalled());
    expect(calls[0]!.headers['Content-Type']).toBe('application/json');
    expect(calls[0]!.body).toEqual({ token: '123456', reason: 'patient crashing', patientRef: 'MRN-42' });
    expect(session.patch).toHaveBeenCalledWith({ grant: g, tokens: { available: 6 } });
  });

  it('shows the green grant state with a countdown, record link and End session', async () => {
    const { calls } = fakeFetch({ 'POST /api/v1/emergency-session/clear': { status: 204 } });
    const { session } = renderWith(<Validate />, { me: makeMe({ grant: grant(10) }) });
    expect(screen.getByText('Emergency access granted')).toBeTruthy();
    expect(screen.getByTestId('countdown').textContent).toMatch(/^(10:00|9:5\d)$/);
    expect(screen.getByRole('link', { name: 'Write emergency record' }).getAttribute('href')).toBe('/record');
    fireEvent.click(screen.getByRole('button', { name: 'End session' }));
    await waitFor(() => expect(session.patch).toHaveBeenCalledWith({ grant: null }));
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/v1/emergency-session/clear', body: {} });
  });

  it.each([
    ['token_invalid', 'Token not valid. Check the digits.'],
    ['token_used', 'This token has already been used.'],
    ['token_expired', 'This token has expired.'],
  ])('says which failure (%s) and how many tries are left', async (code, text) => {
    fakeFetch({
      'POST /api/v1/tokens/validate': { status: 422, body: { error: { code, message: 'x', details: { attemptsLeft: 3 } } } },
    });
    renderWith(<Validate />);
    fill('111111');
    fireEvent.click(screen.getByRole('button', { name: 'Validate' }));
    const msg = await screen.findByText(new RegExp(text.replace(/\./g, '\\.')));
    expect(msg.textContent).toContain('3 tries left before validation is locked.');
    expect(msg.closest('[aria-live]')).toBeTruthy();
    expect((screen.getByLabelText('Token') as HTMLInputElement).value).toBe('');
  });

  it('on lockout says until when, and disables the button', async () => {
    fakeFetch({
      'POST /api/v1/tokens/validate': {
        status: 429,
        headers: { 'Retry-After': '900' },
        body: { error: { code: 'too_many_attempts', message: 'x', details: { retryAfterSeconds: 900 } } },
      },
    });
    renderWith(<Validate />);
    fill('111111');
    fireEvent.click(screen.getByRole('button', { name: 'Validate' }));
    const msg = await screen.findByText(/Validation is locked until/);
    expect(msg.textContent).toMatch(/\((15:00|14:5\d)\)/);
    expect((screen.getByRole('button', { name: 'Validate' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('says plainly when the connection failed, and sends nothing again by itself', async () => {
    const { fn } = fakeFetch({});
    fn.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    renderWith(<Validate />);
    fill('123456');
    fireEvent.click(screen.getByRole('button', { name: 'Validate' }));
    expect(await screen.findByText(/No connection\. Nothing was sent/)).toBeTruthy();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('shows the stock, with a warning and a request shortcut under the threshold', () => {
    renderWith(<Validate />, { me: makeMe({ tokens: { available: 2 }, lowTokenThreshold: 5 }) });
    expect(screen.getByTestId('stock').textContent).toContain('You hold 2 tokens');
    expect(screen.getByText(/Running low \(under 5\)/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Request more' }).getAttribute('href')).toBe('/tokens');
  });

  it('does not warn at or above the threshold', () => {
    renderWith(<Validate />, { me: makeMe({ tokens: { available: 5 }, lowTokenThreshold: 5 }) });
    expect(screen.queryByText(/Running low/)).toBeNull();
  });

  it('offline: the button is disabled and says validation needs a connection', () => {
    const spy = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    renderWith(<Validate />);
    expect(screen.getByText('Validation needs a connection.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Validate' }) as HTMLButtonElement).disabled).toBe(true);
    spy.mockRestore();
  });

  it('speaks Bahasa Indonesia', () => {
    renderWith(<Validate />, { lang: 'id' });
    expect(screen.getByRole('heading', { name: 'Akses darurat' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Validasi' })).toBeTruthy();
  });
});
