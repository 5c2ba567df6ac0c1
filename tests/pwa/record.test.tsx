// @vitest-environment happy-dom
// The emergency record: blocked without a grant; written under one with its clock; and never lost: the
// text is kept in memory across screens, when the grant runs out while she writes, and when saving a
// moment too late; a saved record is forgotten.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { Record } from '../../pwa/src/screens/Record';
import { forgetAll, recall } from '../../pwa/src/lib/memory';
import { DRAFT_KEY, type RecordDraft } from '../../pwa/src/lib/draft';
import { fakeFetch, grant, makeMe, renderWith } from './helpers';

beforeEach(() => forgetAll());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const value = (label: string | RegExp) => (screen.getByLabelText(label) as HTMLInputElement).value;
function write() {
  fireEvent.input(screen.getByLabelText('Patient name'), { target: { value: 'Budi' } });
  fireEvent.input(screen.getByLabelText('Complaint'), { target: { value: 'chest pain' } });
  fireEvent.click(screen.getByLabelText('2'));
  fireEvent.input(screen.getByLabelText(/Notes/), { target: { value: 'ECG done' } });
}

describe('Emergency record screen', () => {
  it('is blocked, with the reason, without an active grant', () => {
    renderWith(<Record />);
    expect(screen.getByTestId('record-blocked').textContent).toBe('No active emergency access. Validate a token first.');
    expect(screen.getByRole('heading', { level: 1, name: 'Emergency record' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save record' })).toBeNull();
  });

  it('is blocked, saying when, after the grant ended (with nothing written)', () => {
    renderWith(<Record />, { me: makeMe({ grant: grant(-1) }) });
    expect(screen.getByTestId('record-blocked').textContent).toMatch(/^Your emergency access ended at /);
  });

  it('shows the time left, checks the form, then posts the record and forgets the draft', async () => {
    const { calls } = fakeFetch({ 'POST /api/v1/emergency-records': { status: 201, body: { record: { id: 'r1' } } } });
    renderWith(<Record />, { me: makeMe({ grant: grant(20) }) });
    expect(screen.getByTestId('grant-strip').getAttribute('data-phase')).toBe('calm');
    expect(value(/Patient reference/)).toBe('MRN-42');
    fireEvent.click(screen.getByRole('button', { name: 'Save record' }));
    expect(await screen.findByText('Describe the complaint (at least 3 characters).')).toBeTruthy();
    expect(screen.getByText('Choose a triage level.')).toBeTruthy();
    expect(calls).toHaveLength(0);
    write();
    expect(recall<RecordDraft>(DRAFT_KEY)).toMatchObject({ userId: 'u1', complaint: 'chest pain', triage: 2 });
    fireEvent.click(screen.getByRole('button', { name: 'Save record' }));
    expect(await screen.findByTestId('record-saved')).toBeTruthy();
    expect(calls[0]!.body).toEqual({ patientName: 'Budi', patientRef: 'MRN-42', complaint: 'chest pain', triageLevel: 2, notes: 'ECG done' });
    expect(recall(DRAFT_KEY)).toBeNull();
  });

  it('keeps what she wrote when she leaves the screen and comes back', () => {
    renderWith(<Record />, { me: makeMe({ grant: grant(20) }) });
    write();
    cleanup();
    renderWith(<Record />, { me: makeMe({ grant: grant(20) }) });
    expect(value('Patient name')).toBe('Budi');
    expect(value('Complaint')).toBe('chest pain');
    expect((screen.getByLabelText('2') as HTMLInputElement).checked).toBe(true);
    expect(value(/Notes/)).toBe('ECG done');
  });

  it('when the grant runs out while she writes: the form stays, read-only, with her text, and says what to do', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    renderWith(<Record />, { me: makeMe({ grant: grant(0.5) }) });
    expect(screen.getByTestId('grant-strip').getAttribute('data-phase')).toBe('red');
    write();
    await act(() => void vi.advanceTimersByTime(31_000));
    const ended = screen.getByTestId('record-ended');
    expect(ended.getAttribute('role')).toBe('alert');
    expect(ended.textContent).toMatch(
      /^Your emergency access ended at .+\. Nothing is lost: your record is kept on this phone, not saved yet\. Validate a new token to save it\./,
    );
    expect(screen.getByRole('link', { name: 'Validate a new token' }).getAttribute('href')).toBe('/validate');
    expect(value('Complaint')).toBe('chest pain');
    expect((screen.getByTestId('record-form').querySelector('fieldset') as HTMLFieldSetElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save record' })).toBeNull();
    expect(recall<RecordDraft>(DRAFT_KEY)?.complaint).toBe('chest pain');
  });

  it('saving with a grant that just ended (403 grant_required) says exactly that and keeps the text', async () => {
    fakeFetch({ 'POST /api/v1/emergency-records': { status: 403, body: { error: { code: 'grant_required', message: 'x' } } } });
    const { session } = renderWith(<Record />, { me: makeMe({ grant: grant(20) }) });
    write();
    fireEvent.click(screen.getByRole('button', { name: 'Save record' }));
    const ended = await screen.findByTestId('record-ended');
    expect(ended.textContent).toContain(
      'Not saved: your emergency access had ended when you pressed Save. Your text is kept on this phone; validate a new token to save it.',
    );
    expect(value('Complaint')).toBe('chest pain');
    expect(value(/Notes/)).toBe('ECG done');
    await waitFor(() => expect(session.refresh).toHaveBeenCalled());
    expect(recall<RecordDraft>(DRAFT_KEY)?.notes).toBe('ECG done');
  });

  it('after the next validation the kept record is there to finish and save', async () => {
    const { calls } = fakeFetch({ 'POST /api/v1/emergency-records': { status: 201, body: { record: { id: 'r2' } } } });
    renderWith(<Record />, { me: makeMe({ grant: grant(-1) }) });
    // Nothing written yet: blocked. Write under a grant, let it end, then a new grant.
    cleanup();
    renderWith(<Record />, { me: makeMe({ grant: grant(20, { id: 'g-old' }) }) });
    write();
    cleanup();
    renderWith(<Record />, { me: makeMe({ grant: grant(-1, { id: 'g-old' }) }) });
    expect(screen.getByTestId('record-ended')).toBeTruthy();
    cleanup();
    renderWith(<Record />, { me: makeMe({ grant: grant(30, { id: 'g-new' }) }) });
    expect(value('Complaint')).toBe('chest pain');
    fireEvent.click(screen.getByRole('button', { name: 'Save record' }));
    expect(await screen.findByTestId('record-saved')).toBeTruthy();
    expect(calls[0]!.body).toMatchObject({ patientName: 'Budi', complaint: 'chest pain', triageLevel: 2 });
  });

  it('ending the session from here asks first', async () => {
    const { calls } = fakeFetch({
      'POST /api/v1/emergency-records': { status: 201, body: { record: { id: 'r1' } } },
      'POST /api/v1/emergency-session/clear': { status: 204 },
    });
    renderWith(<Record />, { me: makeMe({ grant: grant(20) }) });
    write();
    fireEvent.click(screen.getByRole('button', { name: 'Save record' }));
    await screen.findByTestId('record-saved');
    fireEvent.click(screen.getByRole('button', { name: 'End session' }));
    expect((await screen.findByTestId('confirm')).textContent).toContain('End emergency access now?');
    fireEvent.click(screen.getByRole('button', { name: 'End access' }));
    await waitFor(() => expect(calls.some((c) => c.path === '/api/v1/emergency-session/clear')).toBe(true));
  });

  it('speaks Bahasa Indonesia', () => {
    renderWith(<Record />, { lang: 'id', me: makeMe({ grant: grant(20) }) });
    expect(screen.getByRole('heading', { name: 'Catatan darurat' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Simpan catatan' })).toBeTruthy();
  });
});
