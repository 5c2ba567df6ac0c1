// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { App } from '../../pwa/src/app';
import { emitForTest } from '../../pwa/src/lib/events';
import { fakeFetch, makeMe } from './helpers';

class FakeEventSource {
  static last: FakeEventSource | null = null;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener() {}
  close() {}
  onmessage: unknown = null;
}

const unauth = { status: 401, body: { error: { code: 'unauthenticated', message: 'sign in' } } };

beforeEach(() => {
  vi.stubGlobal('EventSource', FakeEventSource);
  localStorage.clear();
  localStorage.setItem('et.lang', 'en');
  history.replaceState(null, '', '/');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('App shell', () => {
  it('sends a signed-out user to sign in, then home after signing in', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/me': [unauth, { body: makeMe() }],
      'POST /api/v1/auth/login': { body: { user: makeMe().user } },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(location.pathname).toBe('/login');
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'nurse' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret-pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Emergency access' });
    expect(location.pathname).toBe('/');
    expect(calls.find((c) => c.path === '/api/v1/auth/login')?.body).toEqual({ username: 'nurse', password: 'secret-pass' });
    await waitFor(() => expect(FakeEventSource.last?.url).toBe('/api/v1/events'));
  });

  it('says when the password is wrong, in a live region', async () => {
    fakeFetch({ 'GET /api/v1/me': unauth, 'POST /api/v1/auth/login': { status: 401, body: { error: { code: 'invalid_credentials', message: 'x' } } } });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'nurse' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const msg = await screen.findByText('Wrong username or password.');
    expect(msg.closest('[aria-live="assertive"]')).toBeTruthy();
  });

  it('under the sign-in throttle, says how long to wait (Retry-After in minutes, rounded up)', async () => {
    fakeFetch({
      'GET /api/v1/me': unauth,
      'POST /api/v1/auth/login': { status: 429, headers: { 'Retry-After': '150' }, body: { error: { code: 'rate_limited', message: 'x' } } },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'nurse' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Too many attempts. Try again in 3 min.')).toBeTruthy();
  });

  it('signs in with the one-time Slack link', async () => {
    history.replaceState(null, '', '/login?code=abc123');
    const { calls } = fakeFetch({
      'POST /api/v1/auth/slack-link': { body: { user: makeMe().user } },
      'GET /api/v1/me': { body: makeMe() },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/v1/auth/slack-link', body: { code: 'abc123' } });
    expect(location.search).toBe('');
  });

  it('tells when the Slack link is no good', async () => {
    history.replaceState(null, '', '/login?code=used');
    fakeFetch({ 'POST /api/v1/auth/slack-link': { status: 401, body: { error: { code: 'invalid_code', message: 'x' } } } });
    render(<App />);
    expect(await screen.findByText(/This sign-in link is invalid or has expired/)).toBeTruthy();
    expect(screen.getByLabelText('Username')).toBeTruthy();
  });

  it('opened offline: shows the shell and the offline notice, not a sign-in error', async () => {
    const { fn } = fakeFetch({});
    fn.mockRejectedValue(new TypeError('Failed to fetch'));
    render(<App />);
    const notice = await screen.findByTestId('offline-notice');
    expect(notice.textContent).toContain('Validation needs a connection.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('switches to Bahasa Indonesia and remembers the choice', async () => {
    fakeFetch({ 'GET /api/v1/me': unauth });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fireEvent.click(screen.getByTestId('lang-switch'));
    await screen.findByRole('heading', { name: 'Masuk' });
    expect(screen.getByLabelText('Kata sandi')).toBeTruthy();
    expect(localStorage.getItem('et.lang')).toBe('id');
    expect(document.documentElement.lang).toBe('id');
  });

  it('signed in, the language switch is saved on the server (PATCH /me), so Slack speaks it too', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/me': { body: makeMe() },
      'PATCH /api/v1/me': (c) => ({ body: { user: { ...makeMe().user, locale: (c.body as { locale: string }).locale } } }),
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
    fireEvent.click(screen.getByTestId('lang-switch'));
    await screen.findByRole('heading', { name: 'Akses darurat' });
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH').map((c) => [c.path, c.body])).toEqual([['/api/v1/me', { locale: 'id' }]]));
    expect(localStorage.getItem('et.lang')).toBe('id');
  });

  it('signed out, the switch stays on this phone (nobody to save it for)', async () => {
    const { calls } = fakeFetch({ 'GET /api/v1/me': unauth });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fireEvent.click(screen.getByTestId('lang-switch'));
    await screen.findByRole('heading', { name: 'Masuk' });
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('signing in brings the language she chose elsewhere; with none chosen, the phone’s stays', async () => {
    fakeFetch({
      'GET /api/v1/me': [unauth, { body: makeMe({ user: { ...makeMe().user, locale: 'id' } }) }],
      'POST /api/v1/auth/login': { body: { user: makeMe().user } },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'nurse' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret-pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Akses darurat' });
    expect(document.documentElement.lang).toBe('id');
    cleanup();
    localStorage.setItem('et.lang', 'en');
    fakeFetch({ 'GET /api/v1/me': { body: makeMe({ user: { ...makeMe().user, locale: null } }) } });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
  });

  it('admins see a badge of pending requests and unreviewed accesses, refreshed on live events', async () => {
    const admin = makeMe({ user: { id: 'a1', username: 'admin', name: 'Admin', role: 'admin', slackUserId: null } });
    const mon = (pending: number) => ({
      body: {
        tokens: { available: 0, used: 0, expired: 0, revoked: 0, total: 0 },
        usedLast24h: 0,
        pendingRequests: pending,
        unreviewedGrants: 1,
        lowStockUsers: [],
        recentActivity: [],
      },
    });
    history.replaceState(null, '', '/validate');
    fakeFetch({ 'GET /api/v1/me': { body: admin }, 'GET /api/v1/monitoring': [mon(1), mon(2)] });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId('badge').textContent).toBe('2'));
    emitForTest({ type: 'request.created', requestId: 'r9', userId: 'u7' });
    await waitFor(() => expect(screen.getByTestId('badge').textContent).toBe('3'));
    // The number is for the eye; the link's name says it in words.
    expect(screen.getByTestId('badge').getAttribute('aria-hidden')).toBe('true');
    expect(screen.getByRole('link', { name: /Admin.*3 waiting for you/ })).toBeTruthy();
  });
});

describe('deep links', () => {
  it('returns to the page asked for after signing in, and never to another site', async () => {
    history.replaceState(null, '', '/tokens');
    fakeFetch({
      'GET /api/v1/me': [unauth, { body: makeMe() }],
      'POST /api/v1/auth/login': { body: { user: makeMe().user } },
      'GET /api/v1/tokens/mine': { body: { available: 7, items: [] } },
      'GET /api/v1/token-requests': { body: { items: [], nextCursor: null } },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(location.search).toBe('?next=%2Ftokens');
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'nurse' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret-pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'My tokens and requests' });
    expect(location.pathname).toBe('/tokens');
  });

  it('ignores a next that points off-site', async () => {
    history.replaceState(null, '', '/login?next=%2F%2Fevil.example');
    fakeFetch({ 'GET /api/v1/me': [unauth, { body: makeMe() }], 'POST /api/v1/auth/login': { body: { user: makeMe().user } } });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'nurse' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret-pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Emergency access' });
    expect(location.pathname).toBe('/');
  });
});
