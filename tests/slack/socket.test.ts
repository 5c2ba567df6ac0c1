// Socket Mode against the fake's WebSocket: the bot connects in the background with the app token, is
// sent `hello`, acknowledges every envelope by its envelope_id (at once, even while Slack's Web API
// hangs), acts once on a redelivered envelope, and reconnects by itself when the socket drops, also
// while apps.connections.open answers a 500.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INPUTS } from '../../bot/blocks/ids';
import { requestModal } from '../../bot/blocks/modals';
import { en } from '../../bot/i18n';
import { allText, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness({}, { socket: true });
  await s.fake.waitForSocket();
  await s.fake.waitFor('the bot to be up', () => s.bot.status().state === 'up');
});
afterAll(() => s?.close());
afterEach(() => {
  s.fake.clearFaults();
  s.fake.unhang();
  expect(s.fake.problems).toEqual([]);
});

const requestsOf = async (cookie: string) =>
  (await s.h.http('GET', '/api/v1/token-requests', { cookie })).body.items as Array<{ quantity: number; reason: string }>;

describe('Socket Mode', () => {
  it('connects with the app token, and says so; /slack/events is not used', async () => {
    const open = s.fake.callsTo('apps.connections.open');
    expect(open.length).toBeGreaterThanOrEqual(1);
    expect(open.every((c) => c.token === 'xapp-test-token')).toBe(true);
    expect(s.bot.status()).toMatchObject({ state: 'up', mode: 'socket', socket: 'connected', team: { id: 'T0FAKE' } });
    expect((await fetch(`${s.baseUrl}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(404);
    const ready = await s.h.http('GET', '/readyz');
    expect(ready.body).toMatchObject({ status: 'ready', slack: { state: 'up' } });
  });

  it('acknowledges commands, clicks, modal submissions and events by envelope_id, and does the work', async () => {
    const nurse = await s.slackUser('staff');
    const help = await s.slack.command(nurse.ref, 'help');
    expect(help.envelopeId).toBeDefined();
    expect(help.text).toBe('');
    expect(allText((await help.reply()).body)).toContain('request');

    // The modal: bad input answered in the ack (response_action: errors), good input creates the request.
    const cmd = await s.slack.command(nurse.ref, 'request');
    const open = await s.fake.waitForCall('views.open', (c) => String(c.body.view?.private_metadata).includes(cmd.responseId));
    const bad = await s.slack.submit(nurse.ref, open.body.view, { [INPUTS.quantity.block]: { [INPUTS.quantity.action]: '0' } });
    expect(JSON.parse(bad.text)).toMatchObject({ response_action: 'errors', errors: { [INPUTS.quantity.block]: expect.stringMatching(/1 to 50/) } });
    const good = await s.slack.submit(nurse.ref, open.body.view, {
      [INPUTS.quantity.block]: { [INPUTS.quantity.action]: '4' },
      [INPUTS.reason.block]: { [INPUTS.reason.action]: 'socket night' },
    });
    expect(good.text).toBe('');
    await s.bot.idle();
    expect(await requestsOf(nurse.cookie)).toEqual([expect.objectContaining({ quantity: 4, reason: 'socket night' })]);

    await s.slack.event({ type: 'app_home_opened', user: nurse.ref.id, channel: 'D0', tab: 'home', event_ts: '1.1' });
    await s.fake.waitForCall('views.publish', (c) => c.body.user_id === nurse.ref.id);
    await s.bot.idle();
    expect(s.fake.unacked()).toEqual([]);
  });

  it('acts once on an envelope Slack delivers again', async () => {
    const nurse = await s.slackUser('staff');
    const first = await s.slack.command(nurse.ref, 'request 2 delivered twice');
    const payload = JSON.parse(first.rawBody) as Record<string, unknown>;
    const again = s.fake.send('slash_commands', payload, { retryAttempt: 1 });
    await again.acked();
    await s.bot.idle();
    expect(await requestsOf(nurse.cookie)).toHaveLength(1);
    expect(first.replies()).toHaveLength(1);
  });

  it('acknowledges at once while Slack hangs', async () => {
    const nurse = await s.slackUser('staff');
    s.fake.hang();
    const sent = Array.from({ length: 12 }, () =>
      s.fake.send('slash_commands', {
        command: '/emergency-token',
        text: 'status',
        user_id: nurse.ref.id,
        user_name: 'n',
        team_id: 'T0FAKE',
        response_url: s.fake.responseUrl('hang'),
        trigger_id: 't',
      }),
    );
    const acks = await Promise.all(sent.map((e) => e.acked()));
    expect(acks).toHaveLength(12);
    expect(s.fake.unacked()).toEqual([]);
    s.fake.unhang();
    await s.bot.idle();
  });

  it('reconnects by itself when the socket drops, also while apps.connections.open answers a 500', async () => {
    const before = s.fake.sockets.length;
    s.fake.script('apps.connections.open', { status: 500 });
    s.fake.dropSockets();
    await s.fake.waitFor('a new socket', () => s.fake.sockets.length > before && s.fake.openSockets().length > 0, 30_000);
    expect(s.fake.callsTo('apps.connections.open', (c) => c.fault === 'http')).toHaveLength(1);
    await s.fake.waitFor('the bot to be up again', () => s.bot.status().state === 'up');
    const nurse = await s.slackUser('staff');
    const reply = await (await s.slack.command(nurse.ref, 'status')).reply();
    expect(allText(reply.body)).toMatch(/Available tokens/);
  });

  it('a modal submission built by the bot round-trips through the socket', async () => {
    const nurse = await s.slackUser('staff');
    const view = { id: 'V1', ...requestModal(en, { maxQuantity: 50, meta: {} }) } as Record<string, unknown>;
    const sent = await s.slack.submit(nurse.ref, view, { [INPUTS.quantity.block]: { [INPUTS.quantity.action]: 'abc' } });
    expect(JSON.parse(sent.text).response_action).toBe('errors');
  });
});
