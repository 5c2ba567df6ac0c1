// Read models kept by triggers and merged queries must equal the truth they summarise: token counters
// and per-user stock against COUNT(*), and the audit "user" filter (actor or subject) against a plain OR.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../api/domain/sweep';
import { dbRows, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let nurses: TestUser[];

beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
  nurses = await Promise.all([quickUser(h), quickUser(h), quickUser(h)]);
});
afterAll(() => h?.close());

describe('trigger-maintained counters', () => {
  it('match COUNT(*) after generate, validate, revoke, expire and approve, expiry included', async () => {
    const [a, b] = nurses as [TestUser, TestUser];
    const mine = await generate(h, admin, { count: 6, userId: a.id });
    await generate(h, admin, { count: 4, userId: b.id });
    const general = await generate(h, admin, { count: 3 });
    expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: a.cookie, body: { token: mine[0]!.token, reason: 'sepsis bay 1' } })).status).toBe(200);
    expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: b.cookie, body: { token: general[0]!.token, reason: 'sepsis bay 2' } })).status).toBe(
      200,
    );
    expect((await h.http('DELETE', `/api/v1/tokens/${mine[1]!.id}`, { cookie: admin.cookie })).status).toBe(200);
    await h.runtime.ctx.db.execute(sql`update tokens set expires_at = now() - interval '1 second' where id = ${mine[2]!.id}`);
    const req = await h.http('POST', '/api/v1/token-requests', { cookie: b.cookie, body: { quantity: 2 } });
    expect((await h.http('POST', `/api/v1/token-requests/${req.body.request.id}/approve`, { cookie: admin.cookie, body: {} })).status).toBe(200);

    // Before the sweep, monitoring already reports the overdue token as expired.
    const before = await h.http('GET', '/api/v1/monitoring', { cookie: admin.cookie });
    const truth = async () =>
      (await dbRows<{ status: string; n: number }>(h, sql`select status, count(*)::int as n from tokens group by status`)).reduce<Record<string, number>>(
        (acc, r) => ({ ...acc, [r.status]: r.n }),
        {},
      );
    let t = await truth();
    expect(before.body.tokens).toEqual({
      available: (t.available ?? 0) - 1,
      used: t.used ?? 0,
      expired: (t.expired ?? 0) + 1,
      revoked: t.revoked ?? 0,
      total: Object.values(t).reduce((x, y) => x + y, 0),
    });

    // Stock by user, expiry included: what monitoring lists equals COUNT(*) of usable tokens, also for
    // the user whose overdue token the kept count still holds.
    const usable = async () =>
      Object.fromEntries(
        (
          await dbRows<{ user_id: string; n: number }>(
            h,
            sql`select user_id, count(*)::int as n from tokens where status = 'available' and expires_at > now() and user_id is not null group by user_id`,
          )
        ).map((r) => [r.user_id, r.n]),
      );
    const listed = async () =>
      Object.fromEntries(
        (await h.http('GET', '/api/v1/monitoring?threshold=1000', { cookie: admin.cookie })).body.lowStockUsers.map(
          (u: { userId: string; available: number }) => [u.userId, u.available],
        ),
      );
    let stockTruth = await usable();
    let stockListed = await listed();
    for (const n of nurses) expect(stockListed[n.id], n.username).toBe(stockTruth[n.id] ?? 0);
    expect(stockListed[a.id]).toBe(3);

    await sweepExpired(h.runtime.ctx);
    stockTruth = await usable();
    stockListed = await listed();
    for (const n of nurses) expect(stockListed[n.id], n.username).toBe(stockTruth[n.id] ?? 0);
    t = await truth();
    const counters = await dbRows<{ status: string; n: number }>(h, sql`select status, sum(n)::int as n from token_counts group by status`);
    expect(Object.fromEntries(counters.filter((c) => c.n !== 0).map((c) => [c.status, c.n]))).toEqual(t);

    const stock = await dbRows<{ user_id: string; stock: number; truth: number }>(
      h,
      sql`select s.user_id, s.available as stock,
                 (select count(*)::int from tokens t where t.user_id = s.user_id and t.status = 'available') as truth
          from user_stock s`,
    );
    expect(stock.length).toBeGreaterThanOrEqual(5);
    for (const row of stock) expect(row.stock, row.user_id).toBe(row.truth);

    const low = await h.http('GET', '/api/v1/monitoring?threshold=4', { cookie: admin.cookie });
    const lowIds = low.body.lowStockUsers.map((u: { userId: string }) => u.userId);
    expect(lowIds).toContain(nurses[2]!.id); // none at all
    expect(lowIds).toContain(a.id); // 6 - used - revoked - expired = 3
    expect(lowIds).not.toContain(b.id); // 4 + 2 approved = 6
    const avail = low.body.lowStockUsers.map((u: { available: number }) => u.available);
    expect([...avail].sort((x, y) => x - y)).toEqual(avail);
  });
});

describe('counters under concurrent single-token changes', () => {
  it('stay equal to COUNT(*) when one holder uses many tokens at once and others are revoked meanwhile', async () => {
    const holder = await quickUser(h);
    const mine = await generate(h, admin, { count: 12, userId: holder.id });
    const results = await Promise.all([
      ...mine.slice(0, 8).map((tk, i) => h.http('POST', '/api/v1/tokens/validate', { cookie: holder.cookie, body: { token: tk.token, reason: `bay ${i}` } })),
      ...mine.slice(8, 11).map((tk) => h.http('DELETE', `/api/v1/tokens/${tk.id}`, { cookie: admin.cookie })),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(11).fill(200));
    const [row] = await dbRows<{ kept: number; truth: number }>(
      h,
      sql`select (select available from user_stock where user_id = ${holder.id}) as kept,
                 (select count(*)::int from tokens where user_id = ${holder.id} and status = 'available') as truth`,
    );
    expect(row).toEqual({ kept: 1, truth: 1 });
    const counters = await dbRows<{ status: string; n: number }>(h, sql`select status, sum(n)::int as n from token_counts group by status`);
    const truth = await dbRows<{ status: string; n: number }>(h, sql`select status, count(*)::int as n from tokens group by status`);
    expect(Object.fromEntries(counters.filter((c) => c.n !== 0).map((c) => [c.status, c.n]))).toEqual(Object.fromEntries(truth.map((c) => [c.status, c.n])));
  });
});

describe('audit filter by user', () => {
  it('pages through exactly the events where the user is actor or subject, newest first', async () => {
    const [a, b] = nurses as [TestUser, TestUser];
    // a acts (requests), admin acts on a (generate for a), b acts alone.
    for (let i = 0; i < 3; i++) await h.http('POST', '/api/v1/token-requests', { cookie: a.cookie, body: { quantity: 1 } });
    for (let i = 0; i < 3; i++) await generate(h, admin, { count: 1, userId: a.id });
    await h.http('POST', '/api/v1/token-requests', { cookie: b.cookie, body: { quantity: 1 } });

    const expected = await dbRows<{ id: string }>(
      h,
      sql`select id::text from audit_events where actor_id = ${a.id} or subject_user_id = ${a.id} order by at desc, id desc`,
    );
    expect(expected.length).toBeGreaterThanOrEqual(8);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await h.http('GET', `/api/v1/audit?userId=${a.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, {
        cookie: admin.cookie,
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((e: { id: string }) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected.map((e) => e.id));
  });
});
