// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { Requests } from '../../pwa/src/screens/admin/Requests';
import { Audit, auditQuery } from '../../pwa/src/screens/admin/Audit';
import { Generate } from '../../pwa/src/screens/admin/Generate';
import { invalidateUsers } from '../../pwa/src/screens/admin/shared';
import { fakeFetch, makeMe, renderWith } from './helpers';

const admin = makeMe({ user: { id: 'a1', username: 'admin', name: 'Admin', role: 'super_admin', slackUserId: null } });
const users = { body: { items: [{ id: 'u1', username: 'siti', name: 'Siti Rahma', role: 'staff', slackUserId: null }], nextCursor: null } };
const request = { id: 'r1', userId: 'u1', quantity: 4, reason: 'night shift', status: 'pending', decidedBy: null, decidedAt: null, decisionNote: null, createdAt: new Date().toISOString(), expiresAt: null };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  invalidateUsers();
});

describe('admin: requests', () => {
  it('approves a pending request', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/users': users,
      'GET /api/v1/token-requests': { body: { items: [request], nextCursor: null } },
      'POST /api/v1/token-requests/r1/approve': { body: { request: { ...request, status: 'approved' }, issued: 4 } },
    });
    renderWith(<Requests />, { me: admin });
    await screen.findByText('Siti Rahma asks for 4');
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(await screen.findByText('Approved: 4 tokens issued.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ body: {}, headers: { 'Content-Type': 'application/json' } });
  });

  it.each([
    ['already_decided', 409, 'Someone already decided this request.'],
    ['self_approval', 403, 'You cannot decide your own request.'],
  ])('explains %s', async (code, status, text) => {
    fakeFetch({
      'GET /api/v1/users': users,
      'GET /api/v1/token-requests': { body: { items: [request], nextCursor: null } },
      'POST /api/v1/token-requests/r1/approve': { status, body: { error: { code, message: 'x' } } },
    });
    renderWith(<Requests />, { me: admin });
    fireEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    expect(await screen.findByText(text)).toBeTruthy();
  });

  it('rejects only with a reason', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/users': users,
      'GET /api/v1/token-requests': { body: { items: [request], nextCursor: null } },
      'POST /api/v1/token-requests/r1/reject': { body: { request: { ...request, status: 'rejected' } } },
    });
    renderWith(<Requests />, { me: admin });
    fireEvent.click(await screen.findByRole('button', { name: 'Reject' }));
    const confirm = screen.getByRole('button', { name: 'Reject request' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.input(screen.getByLabelText('Reason for rejecting'), { target: { value: 'stock is fine' } });
    fireEvent.click(confirm);
    expect(await screen.findByText('Request rejected.')).toBeTruthy();
    expect(calls.find((c) => c.path.endsWith('/reject'))?.body).toEqual({ reason: 'stock is fine' });
  });
});

describe('admin: audit', () => {
  it('exports exactly the filtered query', async () => {
    const { calls } = fakeFetch({ 'GET /api/v1/users': users, 'GET /api/v1/audit': { body: { items: [], nextCursor: null } } });
    renderWith(<Audit />, { me: admin });
    fireEvent.input(screen.getByLabelText('From'), { target: { value: '2026-01-01' } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'token.validated' } });
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'failure' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(calls.filter((c) => c.path.startsWith('/api/v1/audit?'))).toHaveLength(2));
    const listed = new URL(calls.filter((c) => c.path.startsWith('/api/v1/audit?'))[1]!.path, 'http://x').searchParams;
    const exported = new URL(screen.getByTestId('audit-export').getAttribute('href')!, 'http://x');
    expect(exported.pathname).toBe('/api/v1/audit/export.csv');
    listed.delete('limit');
    expect([...exported.searchParams].sort()).toEqual([...listed].sort());
    expect(exported.searchParams.get('action')).toBe('token.validated');
    expect(exported.searchParams.get('from')).toBe(new Date('2026-01-01T00:00:00').toISOString());
  });

  it('turns a date range into the start and end of those days', () => {
    const q = auditQuery({ from: '2026-03-01', to: '2026-03-02', action: '', outcome: '', tokenStatus: '', userId: '' });
    expect(q.from).toBe(new Date('2026-03-01T00:00:00').toISOString());
    expect(q.to).toBe(new Date('2026-03-02T23:59:59.999').toISOString());
  });
});

describe('admin: generate', () => {
  it('advises 6 digits and shows the plaintext once', async () => {
    const tok = (n: string) => ({ id: n, token: n, status: 'available', length: 6, userId: null, generatedBy: 'a1', usedBy: null, usedAt: null, expiresAt: null, createdAt: '', notes: null });
    const { calls } = fakeFetch({ 'GET /api/v1/users': users, 'POST /api/v1/tokens/generate': { status: 201, body: { tokens: [tok('123456'), tok('654321')] } } });
    renderWith(<Generate />, { me: admin });
    expect(screen.getByText(/6 digits recommended/)).toBeTruthy();
    expect((screen.getByLabelText('Digits') as HTMLSelectElement).value).toBe('6');
    fireEvent.input(screen.getByLabelText('How many'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByText('123456');
    expect(screen.getByText(/shown only once/)).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ count: 2, length: 6, userId: null });
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByText('123456')).toBeNull();
  });
});
