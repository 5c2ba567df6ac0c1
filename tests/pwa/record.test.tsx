// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { Record } from '../../pwa/src/screens/Record';
import { fakeFetch, grant, makeMe, renderWith } from './helpers';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Emergency record screen', () => {
  it('is blocked, with the reason, without an active grant', () => {
    renderWith(<Record />);
    expect(screen.getByTestId('record-blocked').textContent).toBe('No active emergency access. Validate a token first.');
    expect(screen.queryByRole('button', { name: 'Save record' })).toBeNull();
  });

  it('is blocked, saying when, after the grant ended', () => {
    renderWith(<Record />, { me: makeMe({ grant: grant(-1) }) });
    expect(screen.getByTestId('record-blocked').textContent).toMatch(/^Your emergency access ended at /);
  });

  it('checks the form, then posts the record', async () => {
    const { calls } = fakeFetch({ 'POST /api/v1/emergency-records': { status: 201, body: { record: { id: 'r1' } } } });
    renderWith(<Record />, { me: makeMe({ grant: grant(20) }) });
    expect((screen.getByLabelText(/Patient reference/) as HTMLInputElement).value).toBe('MRN-42');
    fireEvent.click(screen.getByRole('button', { name: 'Save record' }));
    expect(await screen.findByText('Describe the complaint (at least 3 characters).')).toBeTruthy();
    expect(screen.getByText('Choose a triage level.')).toBeTruthy();
    expect(calls).toHaveLength(0);

    fireEvent.input(screen.getByLabelText('Patient name'), { target: { value: 'Budi' } });
    fireEvent.input(screen.getByLabelText('Complaint'), { target: { value: 'chest pain' } });
    fireEvent.click(screen.getByLabelText('2'));
    fireEvent.input(screen.getByLabelText(/Notes/), { target: { value: 'ECG done' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save record' }));
    expect(await screen.findByTestId('record-saved')).toBeTruthy();
    expect(calls[0]!.body).toEqual({ patientName: 'Budi', patientRef: 'MRN-42', complaint: 'chest pain', triageLevel: 2, notes: 'ECG done' });
  });

  it('turns a 403 grant_required into the blocked state', async () => {
    fakeFetch({ 'POST /api/v1/emergency-records': { status: 403, body: { error: { code: 'grant_required', message: 'x' } } } });
    const { session } = renderWith(<Record />, { me: makeMe({ grant: grant(20) }) });
    fireEvent.input(screen.getByLabelText('Complaint'), { target: { value: 'chest pain' } });
    fireEvent.click(screen.getByLabelText('1'));
    fireEvent.click(screen.getByRole('button', { name: 'Save record' }));
    expect(await screen.findByTestId('record-blocked')).toBeTruthy();
    await waitFor(() => expect(session.refresh).toHaveBeenCalled());
  });
});
