// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen } from '@testing-library/preact';
import { MyTokens } from '../../pwa/src/screens/MyTokens';
import { fakeFetch, makeMe, renderWith } from './helpers';

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
      'POST /api/v1/tokens/reveal': { body: { tokens: [{ id: 't1', token: '482913', expiresAt: null }, { id: 't2', token: '105577', expiresAt: null }] } },
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
});
