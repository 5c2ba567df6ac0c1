// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { MyTokens } from '../../pwa/src/screens/MyTokens';
import { forgetAll } from '../../pwa/src/lib/memory';
import { currentPath, navigate } from '../../pwa/src/lib/router';
import { fakeFetch, makeMe, renderWith } from './helpers';

beforeEach(() => {
  forgetAll();
  history.replaceState(null, '', '/tokens');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const none = { body: { items: [], nextCursor: null } };

describe('My tokens and requests', () => {
  it('sends a request and lists it', async () => {
    const pending = { id: 'r1', userId: 'u1', quantity: 10, reason: 'ICU', status: 'pending', createdAt: new Date().toISOString() };
    const { calls } = fakeFetch({
      'GET /api/v1/tokens/mine': { body: { available: 7, items: [], pendingReveal: 0 } },
      'GET /api/v1/token-requests': [none, { body: { items: [pending], nextCursor: null } }],
      'POST /api/v1/token-requests': { status: 201, body: { request: pending } },
    });
    renderWith(<MyTokens />);
    fireEvent.input(screen.getByLabelText('Quantity'), { target: { value: '10' } });
    fireEvent.input(screen.getByLabelText(/Reason/), { target: { value: 'ICU' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send request' }));
    expect(await screen.findByText('Request sent. An admin will decide.')).toBeTruthy();
    expect(await screen.findByText('pending')).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ quantity: 10, reason: 'ICU' });
  });

  it('reveals newly assigned tokens once when there is no Slack link', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/tokens/mine': { body: { available: 2, items: [], pendingReveal: 2 } },
      'GET /api/v1/token-requests': none,
      'POST /api/v1/tokens/reveal': {
        body: {
          tokens: [
            { id: 't1', token: '482913', expiresAt: null },
            { id: 't2', token: '105577', expiresAt: null },
          ],
        },
      },
    });
    renderWith(<MyTokens />, { me: makeMe({ tokens: { available: 2 } }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Show my 2 new tokens' }));
    expect(await screen.findByText('482913')).toBeTruthy();
    expect(screen.getByText('105577')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Show my/ })).toBeNull();
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ path: '/api/v1/tokens/reveal', body: {} });
  });

  it('offers no reveal to users linked to Slack (they get tokens by DM)', async () => {
    fakeFetch({ 'GET /api/v1/tokens/mine': { body: { available: 2, items: [], pendingReveal: 2 } }, 'GET /api/v1/token-requests': none });
    renderWith(<MyTokens />, { me: makeMe({ user: { ...makeMe().user, slackUserId: 'U123' } }) });
    await screen.findByText('You hold 2 tokens');
    expect(screen.queryByRole('button', { name: /Show my/ })).toBeNull();
  });

  describe('the one-time reveal cannot be lost', () => {
    const revealRoutes = () =>
      fakeFetch({
        'GET /api/v1/tokens/mine': [{ body: { available: 2, items: [], pendingReveal: 2 } }, { body: { available: 2, items: [], pendingReveal: 0 } }],
        'GET /api/v1/token-requests': none,
        'POST /api/v1/tokens/reveal': {
          body: {
            tokens: [
              { id: 't1', token: '482913', expiresAt: null },
              { id: 't2', token: '105577', expiresAt: null },
            ],
          },
        },
      });
    const reveal = async () => {
      fireEvent.click(await screen.findByRole('button', { name: 'Show my 2 new tokens' }));
      await screen.findByText('482913');
    };

    it('stays until she confirms "I have noted them", also across leaving and coming back', async () => {
      revealRoutes();
      renderWith(<MyTokens />);
      await reveal();
      expect(screen.getByRole('heading', { name: 'Your new tokens' })).toBeTruthy();
      expect(screen.getByText(/Shown once only: note them now/)).toBeTruthy();
      cleanup();
      renderWith(<MyTokens />);
      expect(await screen.findByText('482913')).toBeTruthy();
      fireEvent.click(screen.getByRole('button', { name: 'I have noted them' }));
      await waitFor(() => expect(screen.queryByText('482913')).toBeNull());
    });

    it('copies them all, one per line', async () => {
      revealRoutes();
      const writeText = vi.fn(async () => {});
      Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
      renderWith(<MyTokens />);
      await reveal();
      fireEvent.click(screen.getByRole('button', { name: 'Copy all' }));
      await waitFor(() => expect(writeText).toHaveBeenCalledWith('482913\n105577'));
      expect(await screen.findByText('Copied.')).toBeTruthy();
    });

    it('leaving the screen first asks: Stay keeps her here, Leave goes', async () => {
      revealRoutes();
      renderWith(<MyTokens />);
      await reveal();
      await act(async () => navigate('/validate'));
      expect(currentPath()).toBe('/tokens');
      expect((await screen.findByTestId('confirm')).textContent).toContain('Leave without confirming you noted your tokens?');
      fireEvent.click(screen.getByRole('button', { name: 'Stay' }));
      await waitFor(() => expect(screen.queryByTestId('confirm')).toBeNull());
      expect(currentPath()).toBe('/tokens');
      expect(screen.getByText('482913')).toBeTruthy();
      await act(async () => navigate('/validate'));
      fireEvent.click(await screen.findByRole('button', { name: 'Leave' }));
      await waitFor(() => expect(currentPath()).toBe('/validate'));
    });

    it('the back button asks too, and closing the page gets the browser prompt', async () => {
      revealRoutes();
      history.pushState(null, '', '/tokens');
      renderWith(<MyTokens />);
      await reveal();
      const unload = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(unload);
      expect(unload.defaultPrevented).toBe(true);
      // Back: the address changes, then is put back while she decides.
      history.replaceState(null, '', '/validate');
      window.dispatchEvent(new PopStateEvent('popstate'));
      expect(currentPath()).toBe('/tokens');
      expect(await screen.findByTestId('confirm')).toBeTruthy();
      fireEvent.click(screen.getByRole('button', { name: 'Stay' }));
      // Once noted, nothing holds her back.
      fireEvent.click(screen.getByRole('button', { name: 'I have noted them' }));
      await waitFor(() => expect(screen.queryByText('482913')).toBeNull());
      const after = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(after);
      expect(after.defaultPrevented).toBe(false);
      await act(async () => navigate('/validate'));
      expect(currentPath()).toBe('/validate');
    });
  });
});
