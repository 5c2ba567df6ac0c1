// @vitest-environment happy-dom
// The dead-letter view on the monitoring screen: Slack's state, what waits, each undelivered message with
// what it was, Slack's reason, what to do, and a Retry that calls the API; in both languages; hidden
// when the server has no Slack and nothing is undelivered.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { DeadLetters } from '../../pwa/src/screens/admin/DeadLetters';
import { fakeFetch, makeMe, renderWith } from './helpers';

const admin = makeMe({ user: { id: 'a1', username: 'admin', name: 'Admin', role: 'admin', slackUserId: null } });
const dead = (id: number, kind: string, reason: string) => ({
  id,
  destination: 'slack',
  kind,
  status: 'dead',
  subject: { requestId: 'r1', grantId: null, userId: null },
  reason,
  lastError: `An API error occurred: ${reason}`,
  attempts: 3,
  createdAt: new Date().toISOString(),
  deadAt: new Date().toISOString(),
});
const page = (items: unknown[], state = 'up', extra: Record<string, unknown> = {}) => ({
  body: {
    items,
    nextCursor: null,
    delivery: {
      slack: { state, reason: state === 'revoked' ? 'app_uninstalled' : null, since: null },
      pending: 0,
      oldestPendingSeconds: null,
      dead: items.length,
      ...extra,
    },
  },
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('dead letters', () => {
  it('lists what could not be delivered, with the reason and what to do, and retries one', async () => {
    const { calls } = fakeFetch({
      'GET /api/v1/dead-letters': [
        page([dead(7, 'request.created', 'not_in_channel'), dead(8, 'request.notify', 'user_not_found')]),
        page([dead(8, 'request.notify', 'user_not_found')]),
      ],
      'POST /api/v1/dead-letters/7/retry': { body: { deadLetter: { ...dead(7, 'request.created', 'not_in_channel'), status: 'pending' } } },
    });
    renderWith(<DeadLetters />, { me: admin });
    expect(await screen.findByText('A request posted to the admin channel')).toBeTruthy();
    expect(screen.getByText('not_in_channel')).toBeTruthy();
    expect(screen.getByText(/Invite the bot to the admin channel/)).toBeTruthy();
    expect(screen.getByText(/can use the web app/)).toBeTruthy();
    expect(screen.getByText('Could not be delivered (2)')).toBeTruthy();
    expect(screen.getByTestId('slack-state').dataset.state).toBe('up');
    fireEvent.click(screen.getByRole('button', { name: 'Retry: A request posted to the admin channel' }));
    expect(await screen.findByText('Queued again: it goes out in a moment.')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/v1/dead-letters/7/retry']);
    await waitFor(() => expect(screen.queryByText('A request posted to the admin channel')).toBeNull());
  });

  it('says when Slack refuses the app and what waits, in Bahasa Indonesia', async () => {
    fakeFetch({ 'GET /api/v1/dead-letters': page([], 'revoked', { pending: 4, oldestPendingSeconds: 600 }) });
    renderWith(<DeadLetters />, { me: admin, lang: 'id' });
    expect(await screen.findByText(/Slack tidak lagi menerima aplikasi ini \(app_uninstalled\)/)).toBeTruthy();
    expect(screen.getByText('4 menunggu dikirim (paling lama 10 menit).')).toBeTruthy();
    expect(screen.getByText('Semua pesan sudah sampai ke Slack.')).toBeTruthy();
  });

  it('shows nothing when the server has no Slack and nothing is undelivered', async () => {
    const { calls } = fakeFetch({ 'GET /api/v1/dead-letters': page([], 'off') });
    const { container } = renderWith(<DeadLetters />, { me: admin });
    await waitFor(() => expect(calls).toHaveLength(1));
    await waitFor(() => expect(container.querySelector('[data-testid="dead-letters"]')).toBeNull());
  });

  it('explains a refused retry', async () => {
    fakeFetch({
      'GET /api/v1/dead-letters': page([dead(9, 'lockout', 'is_archived')]),
      'POST /api/v1/dead-letters/9/retry': { status: 409, body: { error: { code: 'conflict', message: 'already waiting' } } },
    });
    renderWith(<DeadLetters />, { me: admin });
    expect(await screen.findByText(/admin channel is archived/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: /^Retry:/ }));
    await waitFor(() => expect(screen.getByTestId('dead-letters-notice').textContent).not.toBe(''));
  });
});
