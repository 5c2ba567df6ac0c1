// @vitest-environment happy-dom
// The signed-in app at its edges: every state has its <h1> (loading and offline too), focus goes to the
// first field after signing in, one row of navigation with the account menu behind "Menu", signing out
// asks when something would be lost, the idle lock of a shared phone, and signing out everywhere.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { App } from '../../pwa/src/app';
import { forgetAll, keep, recall } from '../../pwa/src/lib/memory';
import { DRAFT_KEY, emptyDraft } from '../../pwa/src/lib/draft';
import { navigate } from '../../pwa/src/lib/router';
import { fakeFetch, grant, makeMe } from './helpers';

class FakeEventSource {
  constructor(readonly url: string) {}
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
  forgetAll();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const signIn = async () => {
  fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'nurse' } });
  fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret-pass' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
};

describe('headings on every state', () => {
  it('loading has an <h1>', () => {
    fakeFetch({ 'GET /api/v1/me': { body: makeMe() } });
    render(<App />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Emergency Token');
  });

  it('opened offline has an <h1> that says so, and a retry', async () => {
    const { fn } = fakeFetch({});
    fn.mockRejectedValue(new TypeError('Failed to fetch'));
    render(<App />);
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('No connection');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
    expect(screen.getByTestId('offline-notice')).toBeTruthy();
  });
});

describe('signed in', () => {
  it('focus goes to the first field (the token) right after signing in', async () => {
    fakeFetch({ 'GET /api/v1/me': [unauth, { body: makeMe() }], 'POST /api/v1/auth/login': { body: { user: makeMe().user } } });
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    await signIn();
    await screen.findByRole('heading', { name: 'Emergency access' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Token')));
  });

  it('after moving to another screen, focus is on its heading', async () => {
    fakeFetch({
      'GET /api/v1/me': { body: makeMe() },
      'GET /api/v1/tokens/mine': { body: { available: 7, items: [] } },
      'GET /api/v1/token-requests': { body: { items: [], nextCursor: null } },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
    fireEvent.click(screen.getByRole('link', { name: /My tokens/ }));
    const h1 = await screen.findByRole('heading', { name: 'My tokens and requests' });
    await waitFor(() => expect(document.activeElement).toBe(h1));
  });

  it('one row of navigation; the account, language and sign out are behind Menu', async () => {
    fakeFetch({ 'GET /api/v1/me': { body: makeMe() } });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const button = screen.getByRole('button', { name: 'Menu' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const menu = document.getElementById(button.getAttribute('aria-controls')!)!;
    expect(menu.hidden).toBe(false);
    expect(nav.contains(menu)).toBe(true);
    expect(screen.getByRole('link', { name: 'My account: Nurse Siti' }).getAttribute('href')).toBe('/account');
    expect(screen.getByTestId('sign-out').textContent).toBe('Sign out');
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(menu.hidden).toBe(true);
    expect(document.activeElement).toBe(button);
    // Record shows only when there is a grant or a record being written.
    expect(screen.queryByRole('link', { name: 'Record' })).toBeNull();
  });

  it('signing out with an unsaved record asks first, then forgets it', async () => {
    const { calls } = fakeFetch({ 'GET /api/v1/me': [{ body: makeMe() }, unauth], 'POST /api/v1/auth/logout': { status: 204 } });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
    keep(DRAFT_KEY, { ...emptyDraft('u1'), complaint: 'chest pain' });
    fireEvent.click(screen.getByRole('button', { name: 'Menu' }));
    fireEvent.click(screen.getByTestId('sign-out'));
    const dialog = await screen.findByTestId('confirm');
    expect(dialog.textContent).toContain('Your unsaved record');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('confirm')).toBeNull());
    expect(calls.some((c) => c.path === '/api/v1/auth/logout')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Menu' }));
    fireEvent.click(screen.getByTestId('sign-out'));
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(recall(DRAFT_KEY)).toBeNull();
  });
});

describe('the idle lock of a shared phone', () => {
  const idleMe = (over = {}) => makeMe({ ward: { escalationText: null, idleLockMinutes: 2 }, ...over });

  it('after the idle minutes, hides everything, ends the session, asks for the password, and keeps the draft', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const { calls } = fakeFetch({
      'GET /api/v1/me': { body: idleMe({ grant: grant(30) }) },
      'POST /api/v1/auth/logout': { status: 204 },
      'POST /api/v1/auth/login': [{ status: 401, body: { error: { code: 'invalid_credentials', message: 'x' } } }, { body: { user: makeMe().user } }],
    });
    history.replaceState(null, '', '/record');
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency record' });
    fireEvent.input(screen.getByLabelText('Complaint'), { target: { value: 'chest pain' } });
    // Use keeps it open...
    await act(() => void vi.advanceTimersByTime(90_000));
    fireEvent.keyDown(window, { key: 'a' });
    await act(() => void vi.advanceTimersByTime(90_000));
    expect(screen.queryByTestId('idle-lock')).toBeNull();
    // ...two minutes without any locks it.
    await act(() => void vi.advanceTimersByTime(35_000));
    expect(screen.getByTestId('idle-lock')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Locked');
    expect(screen.queryByRole('navigation')).toBeNull();
    expect(screen.queryByLabelText('Complaint')).toBeNull();
    expect(screen.getByText(/locked itself after 2 minutes without use\. Nurse Siti, enter your password/)).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/auth/logout')).toBe(true));

    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByText('Wrong password.', { selector: '.field-error' })).toBeTruthy();
    expect(screen.getByTestId('idle-lock')).toBeTruthy();

    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret-pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    await screen.findByRole('heading', { name: 'Emergency record' });
    expect((screen.getByLabelText('Complaint') as HTMLTextAreaElement).value).toBe('chest pain');
    expect(calls.filter((c) => c.path === '/api/v1/auth/login').at(-1)!.body).toEqual({ username: 'nurse', password: 'secret-pass' });
  });

  it('under the sign-in throttle, the lock says how long to wait and stays locked', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    fakeFetch({
      'GET /api/v1/me': { body: idleMe() },
      'POST /api/v1/auth/logout': { status: 204 },
      'POST /api/v1/auth/login': { status: 429, headers: { 'Retry-After': '60' }, body: { error: { code: 'rate_limited', message: 'x' } } },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
    await act(() => void vi.advanceTimersByTime(125_000));
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'secret-pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect(await screen.findByText('Too many attempts. Try again in 1 min.', { selector: '.field-error' })).toBeTruthy();
    expect(screen.getByTestId('idle-lock')).toBeTruthy();
  });

  it('stays locked when the ended session answers 401; "Not me" signs out and forgets', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    fakeFetch({ 'GET /api/v1/me': [{ body: idleMe() }, unauth], 'POST /api/v1/auth/logout': unauth });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
    keep(DRAFT_KEY, { ...emptyDraft('u1'), complaint: 'chest pain' });
    await act(() => void vi.advanceTimersByTime(125_000));
    expect(screen.getByTestId('idle-lock')).toBeTruthy();
    await act(() => void vi.advanceTimersByTime(10_000));
    expect(screen.getByTestId('idle-lock')).toBeTruthy();
    fireEvent.click(screen.getByTestId('switch-user'));
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(recall(DRAFT_KEY)).toBeNull();
  });

  it('someone else signing in on the phone never sees the previous person’s things', async () => {
    fakeFetch({
      'GET /api/v1/me': [
        { body: makeMe() },
        { body: makeMe({ user: { id: 'u2', username: 'other', name: 'Other Nurse', role: 'staff', slackUserId: null }, grant: grant(30) }) },
      ],
      'GET /api/v1/tokens/mine': [unauth, { body: { available: 0, items: [] } }],
      'GET /api/v1/token-requests': [unauth, { body: { items: [], nextCursor: null } }],
      'POST /api/v1/auth/login': { body: { user: makeMe().user } },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Emergency access' });
    keep(DRAFT_KEY, { ...emptyDraft('u1'), complaint: 'first nurse notes' });
    // Her session ended elsewhere: the next call is a 401.
    await act(async () => {
      navigate('/tokens');
    });
    await screen.findByRole('heading', { name: 'Sign in' });
    await signIn();
    // Back where the first session ended (/tokens), now as the other nurse.
    await screen.findByRole('heading', { name: 'My tokens and requests' });
    expect(recall(DRAFT_KEY)).toBeNull();
    await act(async () => {
      navigate('/validate');
    });
    await screen.findByTestId('grant');
    expect(screen.queryByTestId('draft-offer')).toBeNull();
  });
});

describe('my account', () => {
  it('signs out everywhere after asking, and lands on sign-in with the memory forgotten', async () => {
    history.replaceState(null, '', '/account');
    keep(DRAFT_KEY, { ...emptyDraft('u1'), complaint: 'chest pain' });
    const { calls } = fakeFetch({ 'GET /api/v1/me': [{ body: makeMe() }, unauth], 'POST /api/v1/auth/logout-everywhere': { status: 204 } });
    render(<App />);
    await screen.findByRole('heading', { name: 'My account' });
    expect(screen.getByText(/Role: staff/)).toBeTruthy();
    fireEvent.click(screen.getByTestId('sign-out-everywhere'));
    expect((await screen.findByTestId('confirm')).textContent).toContain('Sign out everywhere?');
    fireEvent.click(screen.getAllByRole('button', { name: 'Sign out everywhere' }).at(-1)!);
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(calls.find((c) => c.path === '/api/v1/auth/logout-everywhere')).toMatchObject({ method: 'POST', body: {} });
    expect(recall(DRAFT_KEY)).toBeNull();
  });
});
