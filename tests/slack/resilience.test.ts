// Slack can never stop or slow the API: the service starts and serves with Slack unreachable (the bot
// connects in the background and says when it is up), and while Slack hangs the outbox worker holds no
// transaction, so validations, /readyz, acks of commands and modal submissions, and views.open for a new
// command all go on. (The latency ratio is measured by `npm run bench -- --only slack`.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../api/domain/outbox';
import { INPUTS } from '../../bot/blocks/ids';
import { requestModal } from '../../bot/blocks/modals';
import { en } from '../../bot/i18n';
import { generate } from '../helpers/harness';
import { FakeSlack } from './fake-slack';
import { ADMIN_CHANNEL, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  // Slack is down when the service starts.
  const fake = new FakeSlack();
  await fake.start();
  await fake.stop();
  s = await startSlackHarness({}, { fake });
});
afterAll(() => s?.close());
afterEach(() => {
  s.fake.unhang();
  expect(s.fake.problems).toEqual([]);
});

describe('Slack unreachable at start', () => {
  it('the service serves at once, says Slack is down, and connects when Slack is back', async () => {
    await s.fake.waitFor('the first check to fail', () => s.bot.status().state === 'down');
    const ready = await s.h.http('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', slack: { state: 'down', reason: 'unreachable' } });
    const admin = await s.h.user('admin');
    const nurse = await s.slackUser('staff');
    const [t] = await generate(s.h, admin, { count: 1, userId: nurse.id });
    expect((await s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'Slack is down' } })).status).toBe(200);

    await s.fake.start();
    await s.fake.waitFor('the bot to connect', () => s.bot.status().state === 'up', 30_000);
    expect((await s.h.http('GET', '/readyz')).body.slack).toMatchObject({ state: 'up', reason: null });
  });
});

describe('Slack hanging', () => {
  it('validations, /readyz, acks and views.open go on while every outbox post hangs', async () => {
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    await s.settle();
    const tokens = await generate(s.h, admin, { count: 6, userId: nurse.id });
    s.fake.hang((c) => c.method === 'chat.postMessage');
    const worker = await startOutboxWorker(s.h.runtime.ctx, { slack: s.bot.destination }, { intervalMs: 3_600_000 });
    try {
      // Something for the worker to send: the post of a new request (and its DM rows) hang.
      expect((await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 2, reason: 'while Slack hangs' } })).status).toBe(201);
      await s.fake.waitFor(
        'an outbox post to hang',
        () => s.fake.callsTo('chat.postMessage', (c) => c.fault === 'hung' && c.body.channel === ADMIN_CHANNEL)[0],
      );

      for (const t of tokens.slice(0, 4)) {
        const v = await s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t.token, reason: 'bedside while Slack hangs' } });
        expect(v.status).toBe(200);
      }
      expect((await s.h.http('GET', '/readyz')).status).toBe(200);

      // A slash command is acknowledged, and its modal is opened while the post still hangs.
      const cmd = await s.slack.command(nurse.ref, 'request');
      expect(cmd.status).toBe(200);
      await s.fake.waitForCall('views.open', (c) => String(c.body.view?.private_metadata).includes(cmd.responseId));
      expect(s.fake.hungCount).toBeGreaterThan(0);

      // Modal submissions are answered in the ack: errors for bad input, an empty ack for good input.
      const view = { id: 'VHANG', ...requestModal(en, { maxQuantity: 50, meta: {} }) } as Record<string, unknown>;
      const bad = await s.slack.submit(nurse.ref, view, { [INPUTS.quantity.block]: { [INPUTS.quantity.action]: '-1' } });
      expect(bad.status).toBe(200);
      expect(JSON.parse(bad.text).response_action).toBe('errors');
      const good = await s.slack.submit(nurse.ref, view, { [INPUTS.quantity.block]: { [INPUTS.quantity.action]: '3' } });
      expect(good.status).toBe(200);
      expect(good.text).toBe('');
      expect(s.fake.hungCount).toBeGreaterThan(0);
    } finally {
      s.fake.unhang();
      await worker.stop();
      await s.bot.idle();
    }
  });
});
