// Outbox delivery to Slack that operators can trust: a lease instead of a transaction around the call,
// Retry-After honoured, permanent errors as dead letters admins can see and retry, separate rows so a
// failing redraw never blocks the requester's DM, and token plaintext sent by Slack at most once.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../api/domain/outbox';
import { dbRows, generate } from '../helpers/harness';
import { isDmTo } from './fake-slack';
import { ADMIN_CHANNEL, allText, buttons, retryNow, startSlackHarness, tokensIn, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness();
});
afterAll(() => s?.close());
afterEach(() => {
  s.fake.clearFaults();
  s.fake.unhang();
  expect(s.fake.problems).toEqual([]);
});

type Row = {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  due_in: number;
  lease_until: Date | null;
  dead_reason: string | null;
  last_error: string | null;
};
const outboxOf = (key: string) =>
  dbRows<Row>(
    s.h,
    sql`select id::int, kind, status::text, attempts, extract(epoch from next_attempt_at - now())::float8 as due_in, lease_until, dead_reason, last_error
        from outbox where ordering_key = ${key} order by id`,
  );
const isCode = (c: { body: { blocks?: unknown } }) => JSON.stringify(c.body.blocks ?? '').includes('```');

async function request(nurse: { cookie: string }, quantity = 3) {
  const res = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity, reason: 'ward 4 nights' } });
  expect(res.status).toBe(201);
  return res.body.request.id as string;
}

/** Drains until nothing is due, making backed-off rows due again up to `rounds` times. */
async function drainRounds(rounds: number) {
  for (let i = 0; i < rounds; i++) {
    await retryNow(s.h.runtime.ctx);
    await s.drain();
  }
}

describe('the lease', () => {
  it('claims and commits before calling Slack, so the API runs while a call hangs', async () => {
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    const id = await request(nurse);
    s.fake.hang((c) => c.method === 'chat.postMessage');
    const draining = s.drain();
    await s.fake.waitFor('the channel post to hang', () => s.fake.hungCount > 0);

    // The claim is committed (any connection sees it) and no transaction is open around the call.
    const [row] = await outboxOf(`request:${id}`);
    expect(row).toMatchObject({ kind: 'request.created', status: 'pending', attempts: 1 });
    expect(row!.lease_until).not.toBeNull();
    if (s.h.db.url) {
      const open = await dbRows<{ n: number }>(
        s.h,
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`,
      );
      expect(open[0]!.n).toBe(0);
    }
    // A bedside validation completes while Slack hangs (with a transaction held, on the embedded
    // database it would wait for the hang, and this test would time out).
    const [t] = await generate(s.h, admin, { count: 1 });
    const v = await s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'arrest in bay 2' } });
    expect(v.status).toBe(200);

    s.fake.unhang();
    await draining;
    const [after] = await outboxOf(`request:${id}`);
    expect(after).toMatchObject({ status: 'pending', attempts: 1 });
    expect(after!.lease_until).toBeNull();
    await drainRounds(1);
    expect((await outboxOf(`request:${id}`))[0]).toMatchObject({ status: 'sent' });
  });

  it('a row whose worker died mid-send is taken over, and its tokens are not sent again', async () => {
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    await s.drain();
    s.fake.hang((c) => c.method === 'chat.postMessage' && isCode(c));
    await generate(s.h, admin, { count: 2, userId: nurse.id });
    const first = s.drain();
    await s.fake.waitFor('the token DM to hang', () => s.fake.hungCount > 0);
    // The worker is gone (say, the process was killed): its lease runs out.
    await s.h.runtime.ctx.db.execute(
      sql`update outbox set lease_until = now() - interval '1 second' where ordering_key = ${`dm:${nurse.id}`} and status = 'pending'`,
    );
    await s.drain();
    const notices = s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && /could not confirm/.test(allText(c.body)));
    expect(notices).toHaveLength(1);
    s.fake.unhang();
    await first;
    await drainRounds(2);
    // One attempt to send the plaintext ever reached Slack; the holder reveals them once in the app.
    expect(s.fake.callsTo('chat.postMessage', (c) => c.body.channel === nurse.ref.id && isCode(c))).toHaveLength(1);
    const mine = await s.h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie });
    expect(mine.body.pendingReveal).toBe(2);
    const rows = await outboxOf(`dm:${nurse.id}`);
    expect(rows.filter((r) => r.kind === 'tokens.deliver').map((r) => r.status)).toEqual(['sent']);
  });
});

describe('Retry-After', () => {
  it('is honoured for the row, and pauses the whole destination in the worker', async () => {
    const nurse = await s.slackUser('staff');
    await s.drain();
    s.fake.script('chat.postMessage', { retryAfter: 30 }, { when: (b) => b.channel === ADMIN_CHANNEL });
    const id = await request(nurse);
    await s.drain();
    const [row] = await outboxOf(`request:${id}`);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.due_in).toBeGreaterThanOrEqual(29);
    const posts = () => s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && JSON.stringify(c.body.blocks).includes(id));
    expect(posts()).toHaveLength(1);
    await s.drain();
    expect(posts()).toHaveLength(1);

    // The worker: a 429 on one row holds back the next row too, until Retry-After has passed.
    s.fake.script('chat.postMessage', { retryAfter: 30 }, { when: (b) => b.channel === ADMIN_CHANNEL });
    const worker = await startOutboxWorker(s.h.runtime.ctx, { slack: s.bot.destination }, { intervalMs: 3_600_000, lanes: 1 });
    try {
      const second = await request(nurse);
      await worker.kick();
      await s.fake.waitFor(
        'the second post to be refused',
        () => s.fake.callsTo('chat.postMessage', (c) => c.fault === 'rate_limited' && JSON.stringify(c.body.blocks).includes(second))[0],
      );
      const paused = worker.status().paused.slack;
      expect(paused?.reason).toBe('ratelimited');
      expect(new Date(paused!.until!).getTime() - Date.now()).toBeGreaterThan(25_000);
      const third = await request(nurse);
      await worker.kick();
      expect(s.fake.callsTo('chat.postMessage', (c) => JSON.stringify(c.body.blocks ?? '').includes(third))).toHaveLength(0);
    } finally {
      await worker.stop();
    }
  });
});

describe('dead letters', () => {
  it('a permanent error (not_in_channel) becomes a dead letter admins see, with its reason, and can retry', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    await s.drain();
    s.fake.failAlways('chat.postMessage', 'not_in_channel', (b) => b.channel === ADMIN_CHANNEL);
    const id = await request(nurse);
    await drainRounds(4);
    const [row] = await outboxOf(`request:${id}`);
    expect(row).toMatchObject({ kind: 'request.created', status: 'dead', attempts: 3, dead_reason: 'not_in_channel' });
    // Only three tries: the fake saw exactly three posts for it.
    expect(s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && JSON.stringify(c.body.blocks).includes(id))).toHaveLength(3);

    const list = await s.h.http('GET', '/api/v1/dead-letters', { cookie: admin.cookie });
    expect(list.status).toBe(200);
    const item = list.body.items.find((i: { id: number }) => i.id === row!.id);
    expect(item).toMatchObject({ kind: 'request.created', reason: 'not_in_channel', status: 'dead', subject: { requestId: id } });
    expect(list.body.delivery).toMatchObject({ slack: { state: 'up' } });
    expect(list.body.delivery.dead).toBeGreaterThanOrEqual(1);
    expect((await s.h.http('GET', '/api/v1/dead-letters', { cookie: nurse.cookie })).status).toBe(403);
    expect((await s.h.http('POST', `/api/v1/dead-letters/${row!.id}/retry`, { cookie: nurse.cookie })).status).toBe(403);

    // The admin invites the bot, then retries: delivered once; the retry is audited.
    s.fake.clearFaults();
    const retried = await s.h.http('POST', `/api/v1/dead-letters/${row!.id}/retry`, { cookie: admin.cookie });
    expect(retried.status).toBe(200);
    expect(retried.body.deadLetter).toMatchObject({ id: row!.id, status: 'pending' });
    expect((await s.h.http('POST', `/api/v1/dead-letters/${row!.id}/retry`, { cookie: admin.cookie })).status).toBe(409);
    await s.drain();
    expect((await outboxOf(`request:${id}`))[0]).toMatchObject({ status: 'sent' });
    const after = await s.h.http('GET', '/api/v1/dead-letters', { cookie: admin.cookie });
    expect(after.body.items.some((i: { id: number }) => i.id === row!.id)).toBe(false);
    const audit = await dbRows<{ n: number }>(
      s.h,
      sql`select count(*)::int as n from audit_events where action = 'outbox.retried' and actor_id = ${admin.id} and details->>'outboxId' = ${String(row!.id)}`,
    );
    expect(audit[0]!.n).toBe(1);
    expect((await s.h.http('POST', '/api/v1/dead-letters/999999999/retry', { cookie: admin.cookie })).status).toBe(404);
  });

  it('a transient error (Slack 5xx) is retried with backoff, never dead-lettered', async () => {
    const nurse = await s.slackUser('staff');
    await s.drain();
    s.fake.script('chat.postMessage', { status: 503 }, { times: 5, when: (b) => b.channel === ADMIN_CHANNEL });
    const id = await request(nurse);
    await drainRounds(5);
    const [row] = await outboxOf(`request:${id}`);
    expect(row).toMatchObject({ status: 'pending', attempts: 5, dead_reason: null });
    expect(row!.due_in).toBeGreaterThan(0);
    await drainRounds(1);
    expect((await outboxOf(`request:${id}`))[0]).toMatchObject({ status: 'sent' });
  });
});

describe('separate rows', () => {
  it.each(['approve', 'reject'] as const)('a deleted channel message does not stop the requester hearing of the %s', async (decision) => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const id = await request(nurse, 2);
    await s.settle();
    const post = s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && buttons(c.body).some((b) => b.value === id))[0]!;
    s.fake.deleteMessage(ADMIN_CHANNEL, post.result.ts);

    const body = decision === 'approve' ? {} : { reason: 'Enough stock on the ward' };
    expect((await s.h.http('POST', `/api/v1/token-requests/${id}/${decision}`, { cookie: admin.cookie, body })).status).toBe(200);
    await drainRounds(4);

    const rows = await outboxOf(`request:${id}`);
    expect(rows.find((r) => r.kind === 'request.updated')).toMatchObject({ status: 'dead', dead_reason: 'message_not_found' });
    const dms = s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && /request for 2 tokens/.test(String(c.body.text)));
    expect(dms).toHaveLength(1);
    if (decision === 'approve') {
      expect(allText(dms[0]!.body)).toContain(`<@${admin.ref.id}>`);
      expect(tokensIn(dms[0])).toHaveLength(2);
    } else {
      expect(allText(dms[0]!.body)).toMatch(/rejected/);
      expect(allText(dms[0]!.body)).toContain('Enough stock on the ward');
    }
  });
});

describe('token plaintext over Slack, at most once', () => {
  it('a DM whose answer was lost is not sent again; the holder is told to reveal the tokens once in the app', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const id = await request(nurse, 3);
    await s.settle();
    s.fake.script(
      'chat.postMessage',
      { loseResponse: true },
      { when: (b) => String(b.channel) === nurse.ref.id && JSON.stringify(b.blocks ?? '').includes('```') },
    );
    expect((await s.h.http('POST', `/api/v1/token-requests/${id}/approve`, { cookie: admin.cookie, body: {} })).status).toBe(200);
    await drainRounds(3);

    const tokenDms = s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && tokensIn(c).length > 0);
    expect(tokenDms).toHaveLength(1);
    expect(tokenDms[0]!.fault).toBe('lost');
    const notice = s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && /could not confirm/.test(allText(c.body)));
    expect(notice).toHaveLength(1);
    expect(allText(notice[0]!.body)).toContain(`${s.h.config.publicUrl}/tokens`);
    expect(notice[0]!.body.text).not.toMatch(/\d{6}/);

    // Revealable once in the app: the same tokens Slack may have shown.
    expect((await s.h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie })).body.pendingReveal).toBe(3);
    const reveal = await s.h.http('POST', '/api/v1/tokens/reveal', { cookie: nurse.cookie, body: {} });
    expect(reveal.status).toBe(200);
    expect(reveal.body.tokens.map((t: { token: string }) => t.token).sort()).toEqual([...tokensIn(tokenDms[0])].sort());
    const again = await s.h.http('POST', '/api/v1/tokens/reveal', { cookie: nurse.cookie, body: {} });
    expect(again.body.tokens).toHaveLength(0);
    expect((await outboxOf(`dm:${nurse.id}`)).find((r) => r.kind === 'request.notify')).toMatchObject({ status: 'sent' });
  });

  it('a DM Slack refused puts the tokens back: retried, and revealable in the app if it never goes out', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    await s.drain();
    s.fake.failAlways('chat.postMessage', 'user_not_found', (b) => String(b.channel) === nurse.ref.id);
    await generate(s.h, admin, { count: 4, userId: nurse.id });
    await drainRounds(4);
    const [row] = (await outboxOf(`dm:${nurse.id}`)).filter((r) => r.kind === 'tokens.deliver');
    expect(row).toMatchObject({ status: 'dead', dead_reason: 'user_not_found', attempts: 3 });
    expect((await s.h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie })).body.pendingReveal).toBe(4);
  });
});

describe('Slack refusing the bot', () => {
  it('invalid_auth stops delivery without spending the rows, says so in /readyz, and resumes when Slack accepts the bot again', async () => {
    const nurse = await s.slackUser('staff');
    await s.drain();
    s.fake.failAlways(/.*/, 'invalid_auth');
    const id = await request(nurse);
    await s.drain();
    expect((await outboxOf(`request:${id}`))[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(s.bot.status()).toMatchObject({ state: 'revoked', reason: 'invalid_auth' });
    const ready = await s.h.http('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', slack: { state: 'revoked', reason: 'invalid_auth' }, outbox: { pending: expect.any(Number) } });
    expect(ready.body.outbox.pending).toBeGreaterThanOrEqual(1);
    // Suspended: nothing is even tried.
    const before = s.fake.calls.length;
    await drainRounds(1);
    expect(s.fake.calls.slice(before).filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);

    s.fake.clearFaults();
    await s.fake.waitFor('the bot to be accepted again', () => s.bot.status().state === 'up', 20_000);
    await drainRounds(1);
    expect((await outboxOf(`request:${id}`))[0]).toMatchObject({ status: 'sent' });
  });
});
