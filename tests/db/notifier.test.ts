// Notifications of committed changes (db/notifier.ts): sent after the change, in order, exactly once, in
// as few transactions as the traffic allows; a failed send is counted and reported, never thrown, and the
// notifier goes on. Then the bedside path: a validation's token.used and grant.opened leave through it,
// not through a NOTIFY in the validation's own statement (which made validations commit one at a time
// under Postgres's notify lock).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notifier, type Notification } from '../../db/notifier';
import { EVENTS_CHANNEL, parseEvent, type DomainEvent } from '../../api/domain/events';
import { generate, quickUser, startHarness, type Harness } from '../helpers/harness';

describe('Notifier (the batching, with a send that the test holds)', () => {
  it('sends what was queued in one tick together, and what comes while a send is in flight in the next one', async () => {
    const sent: Notification[][] = [];
    let release!: () => void;
    const notifier = new Notifier(async (batch) => {
      sent.push(batch);
      if (sent.length === 1) await new Promise<void>((r) => (release = r));
    });
    for (let i = 0; i < 3; i++) notifier.notify('c', `a${i}`);
    // The first send is now under way and held; these queue behind it.
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(1);
    for (let i = 0; i < 5; i++) notifier.notify('c', `b${i}`);
    expect(sent).toHaveLength(1);
    release();
    await notifier.drain();
    expect(sent.map((b) => b.map(([, p]) => p))).toEqual([
      ['a0', 'a1', 'a2'],
      ['b0', 'b1', 'b2', 'b3', 'b4'],
    ]);
    expect(notifier.stats).toEqual({ sent: 8, batches: 2, dropped: 0 });
  });

  it('counts and reports a failed send, and sends the next ones', async () => {
    const errors: Array<[unknown, number]> = [];
    let fail = true;
    const delivered: string[] = [];
    const notifier = new Notifier(
      async (batch) => {
        if (fail) throw new Error('connection refused');
        delivered.push(...batch.map(([, p]) => p));
      },
      (err, lost) => errors.push([err, lost]),
    );
    notifier.notify('c', 'x');
    notifier.notify('c', 'y');
    await notifier.drain();
    fail = false;
    notifier.notify('c', 'z');
    await notifier.drain();
    expect(delivered).toEqual(['z']);
    expect(errors.map(([e, n]) => [(e as Error).message, n])).toEqual([['connection refused', 2]]);
    expect(notifier.stats).toEqual({ sent: 1, batches: 1, dropped: 2 });
  });
});

describe('notifications of committed changes on the real database', { timeout: 120_000 }, () => {
  let h: Harness;
  const received: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ LOW_TOKEN_THRESHOLD: '0' });
    await h.runtime.ctx.database.listen('et_test_channel', (p) => received.push(p));
    await h.runtime.ctx.database.listen(EVENTS_CHANNEL, (p) => received.push(p));
  });
  afterAll(async () => h?.close());

  const until = async (done: () => boolean) => {
    // Notifications arrive on the LISTEN connection after the send commits: wait for them (bounded).
    for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  };

  it('delivers 300 notifications queued at once, in order, once each, in one transaction', async () => {
    const database = h.runtime.ctx.database;
    const before = database.notifications();
    received.length = 0;
    const payloads = Array.from({ length: 300 }, (_, i) => `n${i}`);
    for (const p of payloads) database.notifyCommitted('et_test_channel', p);
    // The send's own promise settles after its notifications may have been delivered: wait for both.
    await until(() => received.length >= 300 && database.notifications().sent - before.sent >= 300);
    expect(received).toEqual(payloads);
    const after = database.notifications();
    expect(after.sent - before.sent).toBe(300);
    expect(after.batches - before.batches).toBe(1);
  });

  it('hands an announcement to its listeners while another transaction holds the database', async () => {
    // On PGlite every statement waits for an open transaction (one connection): an announcement sent as a
    // NOTIFY would wait for it too, and add a statement to every validation; there it is handed over in
    // process. On Postgres the send and the LISTEN connection are connections of their own.
    const database = h.runtime.ctx.database;
    const arrived: string[] = [];
    await database.listen('et_test_held', (p) => arrived.push(p));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const opened = new Promise<void>((r) => (inside = r));
    const tx = h.runtime.ctx.db.transaction(async (t) => {
      await t.execute(sql`select 1`);
      inside();
      await held;
    });
    try {
      await opened;
      database.notifyCommitted('et_test_held', 'committed before');
      await until(() => arrived.length > 0);
      expect(arrived).toEqual(['committed before']);
    } finally {
      release();
      await tx;
    }
  });

  it('announces each of 64 parallel validations once, token.used before grant.opened, after the validation answered', async () => {
    const database = h.runtime.ctx.database;
    const admin = await quickUser(h, 'admin');
    const tokens = await generate(h, admin, { count: 64 });
    const nurses = await Promise.all(tokens.map(() => quickUser(h)));
    received.length = 0;
    const before = database.notifications();
    const replies = await Promise.all(
      tokens.map((t, i) => h.http('POST', '/api/v1/tokens/validate', { cookie: nurses[i]!.cookie, body: { token: t.token, reason: 'arrest bed 4' } })),
    );
    expect(replies.map((r) => r.status)).toEqual(tokens.map(() => 200));
    const events = () => received.map(parseEvent).filter((e): e is DomainEvent => e !== null && (e.type === 'token.used' || e.type === 'grant.opened'));
    await until(() => events().length >= 128 && database.notifications().sent - before.sent >= 128);
    const seen = events();
    expect(seen).toHaveLength(128);
    for (const [i, r] of replies.entries()) {
      const grant = (r.body as { grant: { id: string } }).grant;
      const mine = seen.filter((e) => e.userId === nurses[i]!.id);
      expect(mine.map((e) => e.type)).toEqual(['token.used', 'grant.opened']);
      expect(mine[1]).toMatchObject({ grantId: grant.id, tokenId: tokens[i]!.id });
    }
    // They left through the notifier (the statement itself sends none).
    const after = database.notifications();
    expect(after.sent - before.sent).toBe(128);
    expect(after.dropped).toBe(0);
  });
});
