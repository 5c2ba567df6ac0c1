// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { Requests } from '../../pwa/src/screens/admin/Requests';
import { Audit, auditQuery } from '../../pwa/src/screens/admin/Audit';
import { Generate } from '../../pwa/src/screens/admin/Generate';
import { invalidateUsers } from '../../pwa/src/screens/admin/shared';
import { fakeFetch, makeMe, renderWith } from './helpers';

const admin = makeMe({ user: { id: 'a1', username: 'admin', name: 'Admin', role: 'super_admin', slackUserId: null } });
const users = { body: { items: [{ id: 'u1', username: 'siti', name: 'Siti Rahma', role: 'staff', slackUserId: null }], nextCursor: null } };
const request = {
  id: 'r1',
  userId: 'u1',
  quantity: 4,
  reason: 'night shift',
  status: 'pending',
  decidedBy: null,
  decidedAt: null,
  decisionNote: null,
  createdAt: new Date().toISOString(),
  expiresAt: null,
};

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
    fireEvent.click(screen.getByRole('button', { name: 'Filters' }));
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
    const tok = (n: string) => ({
      id: n,
      token: n,
      status: 'available',
      length: 6,
      userId: null,
      generatedBy: 'a1',
      usedBy: null,
      usedAt: null,
      expiresAt: null,
      createdAt: '',
      notes: null,
    });
    const { calls } = fakeFetch({
      'GET /api/v1/users': users,
      'POST /api/v1/tokens/generate': { status: 201, body: { tokens: [tok('123456'), tok('654321')] } },
    });
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

// ---- The console on a phone: filters behind a button, cards, words instead of codes, confirmations ----

import { act } from '@testing-library/preact';
import { Tokens } from '../../pwa/src/screens/admin/Tokens';
import { Users } from '../../pwa/src/screens/admin/Users';
import { Monitoring } from '../../pwa/src/screens/admin/Monitoring';
import { Settings } from '../../pwa/src/screens/admin/Settings';
import { setStreamStateForTest } from '../../pwa/src/lib/events';
import { forgetAll } from '../../pwa/src/lib/memory';
import { currentPath, navigate } from '../../pwa/src/lib/router';

/** "Label: value" for each detail or fact shown inside `el`. */
const pairs = (el: Element) => [...el.querySelectorAll('dl > div')].map((d) => `${d.querySelector('dt')!.textContent}: ${d.querySelector('dd')!.textContent}`);

/** matchMedia for a phone (narrow) or a laptop. */
function screenIs(narrow: boolean) {
  vi.stubGlobal('matchMedia', (q: string) => ({ matches: narrow && q.includes('max-width'), media: q, addEventListener() {}, removeEventListener() {} }));
}
const event = (over: Record<string, unknown>) => ({
  id: '1',
  at: '2026-05-01T08:30:00.000Z',
  action: 'token.validated',
  outcome: 'failure',
  actorId: 'u1',
  subjectUserId: 'u1',
  tokenId: null,
  requestId: null,
  grantId: null,
  ip: null,
  details: {},
  ...over,
});
const token = (over: Record<string, unknown> = {}) => ({
  id: 't1',
  status: 'available',
  length: 6,
  userId: 'u1',
  generatedBy: 'a1',
  usedBy: null,
  usedAt: null,
  expiresAt: '2026-09-01T00:00:00.000Z',
  createdAt: '2026-05-01T00:00:00.000Z',
  notes: null,
  ...over,
});

describe('admin: audit on a phone', () => {
  it('shows results first: filters behind a button with a line saying what applies', async () => {
    screenIs(true);
    fakeFetch({ 'GET /api/v1/users': users, 'GET /api/v1/audit': { body: { items: [], nextCursor: null } } });
    renderWith(<Audit />, { me: admin });
    const button = screen.getByRole('button', { name: 'Filters' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('combobox', { name: 'Action' })).toBeNull();
    expect(screen.getByTestId('filter-summary').textContent).toBe('No filter: everything, newest first.');
    fireEvent.click(button);
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'token.validated' } });
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'failure' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(screen.getByTestId('filter-summary').textContent).toBe('Action: Token validation · Outcome: failure'));
    expect(screen.getByRole('button', { name: 'Filters (2)' })).toBeTruthy();
  });

  it('lists events as cards, with actions and details in words, not codes', async () => {
    screenIs(true);
    fakeFetch({
      'GET /api/v1/users': users,
      'GET /api/v1/audit': {
        body: {
          items: [
            event({ details: { code: 'token_invalid', attemptsLeft: 3 } }),
            event({ id: '2', action: 'lockout', outcome: 'success', details: { scope: 'validation', lockedUntil: '2026-05-01T08:45:00.000Z', failures: 5 } }),
            event({ id: '3', action: 'user.updated', outcome: 'success', actorId: 'a1', details: { changed: ['role'], role: 'admin', previousRole: 'staff' } }),
          ],
          nextCursor: null,
        },
      },
    });
    renderWith(<Audit />, { me: admin });
    const cards = await screen.findByTestId('audit-cards');
    expect(screen.queryByTestId('audit-table')).toBeNull();
    await waitFor(() => expect(cards.textContent).toContain('Siti Rahma'));
    const text = cards.textContent!;
    expect([...cards.querySelectorAll('.event-action')].map((e) => e.textContent)).toEqual(['Token validation', 'Locked out', 'User changed']);
    expect(pairs(cards)).toEqual(
      expect.arrayContaining([
        'Outcome: invalid token',
        'Tries left: 3',
        'Applies to: validation',
        'Failed tries: 5',
        'Changed: Role',
        'Role: admin',
        'Previous role: staff',
        'By: Siti Rahma',
      ]),
    );
    expect(pairs(cards).find((p) => p.startsWith('Locked until: '))).toMatch(/2026/);
    for (const raw of ['token.validated', 'attemptsLeft', 'token_invalid', 'previousRole', '2026-05-01T08:45']) expect(text).not.toContain(raw);
  });

  it('in Bahasa Indonesia too, from the same catalogue', async () => {
    screenIs(false);
    fakeFetch({
      'GET /api/v1/users': users,
      'GET /api/v1/audit': { body: { items: [event({ details: { code: 'token_used', attemptsLeft: 2 } })], nextCursor: null } },
    });
    renderWith(<Audit />, { me: admin, lang: 'id' });
    const table = await screen.findByTestId('audit-table');
    await waitFor(() => expect(table.textContent).toContain('Validasi token'));
    expect(pairs(table)).toEqual(['Hasil: token sudah dipakai', 'Sisa percobaan: 2']);
  });
});

describe('admin: tokens on a phone', () => {
  it('cards below a width, the length labelled; revoking asks first', async () => {
    screenIs(true);
    const { calls } = fakeFetch({
      'GET /api/v1/users': users,
      'GET /api/v1/tokens': { body: { items: [token()], nextCursor: null } },
      'DELETE /api/v1/tokens/t1': { body: { token: token({ status: 'revoked' }) } },
    });
    renderWith(<Tokens />, { me: admin });
    const cards = await screen.findByTestId('token-cards');
    expect(screen.queryByRole('table')).toBeNull();
    await waitFor(() => expect(cards.textContent).toContain('Siti Rahma'));
    expect(pairs(cards)).toContain('Digits: 6 digits');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke' }));
    expect((await screen.findByTestId('confirm')).textContent).toContain('The token of Siti Rahma can no longer be used.');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('confirm')).toBeNull());
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke' }));
    fireEvent.click(within(await screen.findByTestId('confirm')).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(cards.querySelector('[data-status="revoked"]')).toBeTruthy());
  });

  it('a table on a wide screen, inside its own scroller', async () => {
    screenIs(false);
    fakeFetch({ 'GET /api/v1/users': users, 'GET /api/v1/tokens': { body: { items: [token()], nextCursor: null } } });
    renderWith(<Tokens />, { me: admin });
    const table = await screen.findByTestId('token-table');
    expect(table.parentElement!.className).toBe('table-wrap');
  });
});

describe('admin: users, with confirmation and undo', () => {
  const listed = (over: Record<string, unknown> = {}) => ({
    body: {
      items: [{ id: 'u1', username: 'siti', name: 'Siti Rahma', role: 'staff', active: true, slackUserId: null, availableTokens: 3, ...over }],
      nextCursor: null,
    },
  });

  it('says how many tokens, in words', async () => {
    fakeFetch({ 'GET /api/v1/users': listed() });
    renderWith(<Users />, { me: admin });
    expect(await screen.findByText(/tokens available: 3/)).toBeTruthy();
  });

  it('a role change asks first; cancelled, nothing changes; confirmed, it can be undone', async () => {
    const { calls } = fakeFetch({ 'GET /api/v1/users': listed(), 'PATCH /api/v1/users/u1': { body: { user: {} } } });
    renderWith(<Users />, { me: admin });
    const select = (await screen.findByLabelText('Role', { selector: 'select#role-u1' })) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: 'admin' } });
    expect((await screen.findByTestId('confirm')).textContent).toContain('Siti Rahma goes from staff to admin.');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('confirm')).toBeNull());
    expect(select.value).toBe('staff');
    expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(0);
    fireEvent.change(select, { target: { value: 'admin' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Make admin' }));
    await waitFor(() => expect(screen.getByTestId('users-msg').textContent).toContain('Siti Rahma is now admin.'));
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ role: 'admin' }]);
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ role: 'admin' }, { role: 'staff' }]));
    expect(await screen.findByText('Undone.')).toBeTruthy();
  });

  it('deactivation asks first and can be undone', async () => {
    const { calls } = fakeFetch({ 'GET /api/v1/users': listed(), 'PATCH /api/v1/users/u1': { body: { user: {} } } });
    renderWith(<Users />, { me: admin });
    fireEvent.click(await screen.findByRole('button', { name: 'Deactivate' }));
    expect((await screen.findByTestId('confirm')).textContent).toContain('Deactivate Siti Rahma?');
    fireEvent.click(within(screen.getByTestId('confirm')).getByRole('button', { name: 'Deactivate' }));
    await waitFor(() => expect(screen.getByTestId('users-msg').textContent).toContain('Siti Rahma is deactivated.'));
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ active: false }, { active: true }]));
  });
});

describe('admin: monitoring at a glance', () => {
  const mon = {
    body: {
      threshold: 5,
      tokens: { available: 40, used: 12, expired: 3, revoked: 1, total: 56 },
      usedLast24h: 4,
      pendingRequests: 2,
      unreviewedGrants: 1,
      lowStockUsers: [{ userId: 'u1', name: 'Siti Rahma', username: 'siti', slackUserId: null, available: 1 }],
      recentActivity: [event({ details: { code: 'token_expired' } })],
    },
  };
  const day = (i: number) => new Date(Date.UTC(2026, 4, 1 + i)).toISOString();
  const series = (n: number) => ({
    body: { bucket: 'day', tz: 'UTC', points: Array.from({ length: n }, (_, i) => ({ start: day(i), validated: i % 3, failed: i % 2, requested: 1 })) },
  });

  const routes = () =>
    fakeFetch({
      'GET /api/v1/users': users,
      'GET /api/v1/monitoring': mon,
      'GET /api/v1/monitoring/activity': series(30),
      'GET /api/v1/monitoring/stock-history': { body: { tz: 'UTC', points: Array.from({ length: 30 }, (_, i) => ({ at: day(i), available: 60 - i })) } },
      'GET /api/v1/monitoring/top-users': { body: { days: 30, items: [{ userId: 'u1', name: 'Siti Rahma', username: 'siti', validated: 9, failed: 2 }] } },
    });

  it('asks the series in this browser’s time zone, and shows them as charts with their numbers in words and in a table', async () => {
    const { calls } = routes();
    renderWith(<Monitoring />, { me: admin });
    const daily = await screen.findByTestId('chart-daily');
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(calls.some((c) => c.path === `/api/v1/monitoring/activity?bucket=day&tz=${encodeURIComponent(tz).replace(/%2F/g, '%2F')}`)).toBe(true);
    expect(calls.some((c) => c.path.startsWith('/api/v1/monitoring/activity?bucket=hour'))).toBe(true);
    expect(daily.querySelector('h3')!.textContent).toBe('Last 30 days, per day');
    // The legend totals what the bars show; the canvas is hidden from screen readers, the table is not.
    expect(daily.querySelector('.chart-legend')!.textContent).toContain(
      `Emergency accesses: ${Array.from({ length: 30 }, (_, i) => i % 3).reduce((a, b) => a + b, 0)}`,
    );
    expect(daily.querySelector('.chart-canvas')!.getAttribute('aria-hidden')).toBe('true');
    expect(daily.querySelectorAll('details table tbody tr')).toHaveLength(30);
    const stock = await screen.findByTestId('chart-stock');
    expect(stock.querySelector('.chart-legend')!.textContent).toContain('Usable now: 31');
    expect((await screen.findByTestId('top-users')).textContent).toContain('Accesses: 9 · refused: 2');
    expect(screen.getByTestId('low-stock').textContent).toContain('tokens available: 1');
    await waitFor(() => expect(pairs(screen.getByTestId('recent'))).toEqual(['Outcome: token expired']));
  });

  it('the live status is words, not a dot with a label: green "Live" only while the stream is up, red when it is down', async () => {
    routes();
    renderWith(<Monitoring />, { me: admin });
    const status = await screen.findByTestId('live-status');
    act(() => setStreamStateForTest('live'));
    expect(status.textContent).toBe('Live');
    expect(status.getAttribute('data-state')).toBe('live');
    expect(status.querySelector('.live-dot')!.getAttribute('aria-label')).toBeNull();
    act(() => setStreamStateForTest('down'));
    expect(status.textContent).toBe('Not updating: connection lost');
    expect(status.className).toContain('live-down');
  });
});

describe('admin: generate keeps the one-time plaintext safe', () => {
  const tok = (n: string, notes: string | null = null) => ({
    id: n,
    token: n,
    status: 'available',
    length: 6,
    userId: 'u1',
    generatedBy: 'a1',
    usedBy: null,
    usedAt: null,
    expiresAt: '2026-09-01T00:00:00.000Z',
    createdAt: '',
    notes,
  });

  it('neutralises spreadsheet formulas in the CSV, like the server does', async () => {
    forgetAll();
    const evilUsers = { body: { items: [{ id: 'u1', username: 'evil', name: "=cmd|' /C calc'!A0", role: 'staff', slackUserId: null }], nextCursor: null } };
    fakeFetch({
      'GET /api/v1/users': evilUsers,
      'POST /api/v1/tokens/generate': { status: 201, body: { tokens: [tok('123456', '+SUM(A1)'), tok('654321', 'plain, with comma')] } },
    });
    let blob: Blob | null = null;
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => ((blob = b as Blob), 'blob:x'));
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    // The download link's click would navigate this test window away.
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderWith(<Generate />, { me: admin });
    await waitFor(() => expect(screen.getByLabelText('Assign to').textContent).toContain('evil'));
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByText('123456');
    fireEvent.click(screen.getByTestId('download-csv'));
    const lines = (await blob!.text()).split('\r\n');
    expect(lines[0]).toBe('token,assignee,expiresAt,notes');
    expect(lines[1]).toBe(`123456,"'=cmd|' /C calc'!A0",2026-09-01T00:00:00.000Z,"'+SUM(A1)"`);
    expect(lines[2]).toBe(`654321,"'=cmd|' /C calc'!A0",2026-09-01T00:00:00.000Z,"plain, with comma"`);
    expect(click).toHaveBeenCalledTimes(1);
    vi.restoreAllMocks();
  });

  it('stays through leaving the screen (which asks first) until Done', async () => {
    forgetAll();
    history.replaceState(null, '', '/admin/generate');
    fakeFetch({ 'GET /api/v1/users': users, 'POST /api/v1/tokens/generate': { status: 201, body: { tokens: [tok('123456')] } } });
    renderWith(<Generate />, { me: admin });
    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByText('123456');
    await act(async () => navigate('/admin'));
    expect(currentPath()).toBe('/admin/generate');
    expect((await screen.findByTestId('confirm')).textContent).toContain('Leave without the tokens?');
    fireEvent.click(screen.getByRole('button', { name: 'Stay' }));
    cleanup();
    renderWith(<Generate />, { me: admin });
    expect(screen.getByText('123456')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByText('123456')).toBeNull());
  });
});

describe('admin: ward settings', () => {
  it('loads, checks and saves the escalation text and idle lock', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/settings': { body: { settings: { escalationText: null, idleLockMinutes: 5 } } },
      'PATCH /api/v1/settings': { body: { settings: { escalationText: 'Call the charge nurse on 1234.', idleLockMinutes: 3 } } },
    });
    const { session } = renderWith(<Settings />, { me: admin });
    await waitFor(() => expect((screen.getByLabelText(/Lock the app after/) as HTMLInputElement).value).toBe('5'));
    fireEvent.input(screen.getByLabelText(/Lock the app after/), { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Enter a whole number of minutes from 1 to 60.')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
    fireEvent.input(screen.getByLabelText(/What to do when locked out/), { target: { value: 'Call the charge nurse on 1234.' } });
    fireEvent.input(screen.getByLabelText(/Lock the app after/), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Settings saved.')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ escalationText: 'Call the charge nurse on 1234.', idleLockMinutes: 3 });
    expect(session.refresh).toHaveBeenCalled();
  });
});

import { AuditIntegrity } from '../../pwa/src/screens/admin/AuditIntegrity';

describe('admin: audit trail integrity (monitoring)', () => {
  const at = '2026-05-01T08:00:00.000Z';
  const verification = (outcome: 'success' | 'failure', details: Record<string, unknown>) => ({
    id: '900',
    at,
    action: 'audit.verified',
    outcome,
    actorId: 'a1',
    subjectUserId: null,
    tokenId: null,
    requestId: null,
    grantId: null,
    ip: null,
    details,
  });
  const checkpoint = { id: 3, at, keyId: 'k1', chains: 64, events: 1200, mac: 'ab' };

  it('never verified: says so; a super_admin verifies now and sees where it broke, then the panel shows that run', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/audit/verification': [
        { body: { verification: null, checkpoint: null } },
        { body: { verification: verification('failure', { breaks: 2, eventId: '4711' }), checkpoint } },
      ],
      'GET /api/v1/audit/verify': {
        body: { ok: false, events: 1300, chains: 64, checkpoints: 3, breaks: 2, firstBreak: { kind: 'hash_mismatch', eventId: '4711' } },
      },
    });
    renderWith(<AuditIntegrity />, { me: admin });
    const panel = await screen.findByTestId('audit-integrity');
    expect(panel.textContent).toContain('Never verified yet.');
    expect(screen.getByTestId('integrity-checkpoint').textContent).toBe('No signed checkpoint yet.');
    fireEvent.click(within(panel).getByRole('button', { name: 'Verify now' }));
    await waitFor(() => expect(screen.getByTestId('integrity-notice').textContent).toContain('Broken: the first broken event is 4711.'));
    const last = await screen.findByTestId('integrity-last');
    expect(last.dataset.ok).toBe('false');
    expect(last.className).toContain('alert-error');
    expect(last.textContent).toContain('Last verification: BROKEN, 2 problems, first at event 4711,');
    expect(screen.getByTestId('integrity-checkpoint').textContent).toContain('Last signed checkpoint (1200 events):');
    expect(calls.filter((c) => c.path === '/api/v1/audit/verify')).toHaveLength(1);
  });

  it('an intact last run for a plain admin: the count checked, and no button to verify', async () => {
    const plain = makeMe({ user: { id: 'a2', username: 'ward-admin', name: 'Ward Admin', role: 'admin', slackUserId: null } });
    fakeFetch({ 'GET /api/v1/audit/verification': { body: { verification: verification('success', { events: 1200, breaks: 0 }), checkpoint } } });
    renderWith(<AuditIntegrity />, { me: plain });
    const last = await screen.findByTestId('integrity-last');
    expect(last.dataset.ok).toBe('true');
    expect(last.textContent).toContain('Last verification: intact (1200 events checked),');
    expect(within(screen.getByTestId('audit-integrity')).queryByRole('button')).toBeNull();
  });
});
