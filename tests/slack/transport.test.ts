// /slack/events as a transport: signatures, the five-minute window, Slack's handshakes, and retries.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signSlackBody } from '../../bot/verify';
import { ADMIN_CHANNEL, SIGNING_SECRET, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness();
});
afterAll(() => s?.close());
// Every payload the bot sent in the test fits Slack's Block Kit limits (the fake checks each one).
afterEach(() => expect(s.fake.problems).toEqual([]));

const myRequests = async (cookie: string) => (await s.h.http('GET', '/api/v1/token-requests', { cookie })).body.items as unknown[];

describe('signature', () => {
  it('refuses a bad signature with 401 and does nothing', async () => {
    const nurse = await s.slackUser('staff');
    const sent = await s.slack.command(nurse.ref, 'request 3 forged', { signature: 'v0=' + '0'.repeat(64) });
    expect(sent.status).toBe(401);
    const wrongSecret = await s.slack.command(nurse.ref, 'request 3 forged', {
      signature: signSlackBody('not-the-secret', Math.floor(Date.now() / 1000), 'x'),
    });
    expect(wrongSecret.status).toBe(401);
    const missing = await fetch(`${s.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=%2Femergency-token&text=help',
    });
    expect(missing.status).toBe(401);
    await s.settle();
    expect(sent.replies()).toHaveLength(0);
    expect(await myRequests(nurse.cookie)).toHaveLength(0);
  });

  it('refuses a correctly signed request older (or newer) than five minutes', async () => {
    const nurse = await s.slackUser('staff');
    const now = () => Math.floor(Date.now() / 1000);
    const stale = await s.slack.command(nurse.ref, 'request 3 replayed', { timestamp: now() - 301 });
    expect(stale.status).toBe(401);
    const future = await s.slack.command(nurse.ref, 'request 3 replayed', { timestamp: now() + 330 });
    expect(future.status).toBe(401);
    const fresh = await s.slack.command(nurse.ref, 'status', { timestamp: now() - 240 });
    expect(fresh.status).toBe(200);
    await s.settle();
    expect(await myRequests(nurse.cookie)).toHaveLength(0);
  });

  it('refuses a body altered after signing', async () => {
    const nurse = await s.slackUser('staff');
    const ts = Math.floor(Date.now() / 1000);
    const body = new URLSearchParams({
      command: '/emergency-token',
      text: 'request 1',
      user_id: nurse.ref.id,
      team_id: 'T0FAKE',
      trigger_id: 't',
      response_url: s.fake.responseUrl('x'),
    }).toString();
    const signature = signSlackBody(SIGNING_SECRET, ts, body);
    const sent = await s.slack.post(body.replace('request+1', 'request+50'), 'application/x-www-form-urlencoded', { timestamp: ts, signature });
    expect(sent.status).toBe(401);
  });
});

describe("Slack's handshakes", () => {
  it('answers url_verification with the challenge (signed)', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'ch-123', token: 'x' });
    const sent = await s.slack.post(body, 'application/json');
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text)).toEqual({ challenge: 'ch-123' });
    const unsigned = await s.slack.post(body, 'application/json', { signature: 'v0=bad' });
    expect(unsigned.status).toBe(401);
  });

  it('answers ssl_check with 200 and nothing else', async () => {
    const res = await fetch(`${s.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=x',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('retries', () => {
  it('never acts twice on a retried (or replayed) request', async () => {
    const nurse = await s.slackUser('staff');
    const first = await s.slack.command(nurse.ref, 'request 7 retried once');
    expect(first.status).toBe(200);
    const retry = await s.slack.post('', 'application/x-www-form-urlencoded', { rawBody: first.rawBody, retryNum: 1 }, first.responseId);
    expect(retry.status).toBe(200);
    const replay = await s.slack.post('', 'application/x-www-form-urlencoded', { rawBody: first.rawBody }, first.responseId);
    expect(replay.status).toBe(200);
    await s.settle();
    expect(await myRequests(nurse.cookie)).toHaveLength(1);
    expect(first.replies()).toHaveLength(1);
    const posts = s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && JSON.stringify(c.body.blocks).includes(nurse.ref.id));
    expect(posts).toHaveLength(1);
  });

  it('acknowledges a slash command before the slow work is done', async () => {
    const nurse = await s.slackUser('staff');
    const started = Date.now();
    const sent = await s.slack.command(nurse.ref, 'status');
    expect(sent.status).toBe(200);
    expect(sent.text).toBe('');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
