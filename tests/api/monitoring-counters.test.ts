// Monitoring's "unreviewed grants" and "used in the last 24 h" read trigger-kept counters (grant_counts,
// token_use_hours; migration 0018). Each must equal its COUNT(*) definition after every path that changes
// it: validation (a token used, a grant opened), a review, a revocation and the expiry sweep (which must
// not move them), tokens inserted already used, a used_at moved across hours and the 24-h cutoff, rows
// deleted. A path the triggers missed would leave the counter and COUNT(*) apart. PGlite and Postgres.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../api/domain/sweep';
import { postgresAvailable } from '../helpers/database';
import { dbRows, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

const backends = [{ name: 'PGlite', postgres: false }, ...(postgresAvailable ? [{ name: 'Postgres', postgres: true }] : [])];

describe.each(backends)('monitoring counters against COUNT(*) ($name)', ({ postgres }) => {
  let h: Harness;
  let admin: TestUser;
  let nurses: TestUser[];
  beforeAll(async () => {
    h = await startHarness({}, postgres ? { postgres: true } : {});
    admin = await quickUser(h, 'admin');
    nurses = [];
    for (let i = 0; i < 3; i++) nurses.push(await quickUser(h));
  });
  afterAll(() => h?.close());

  const monitoring = async () => {
    const res = await h.http('GET', '/api/v1/monitoring', { cookie: admin.cookie });
    expect(res.status).toBe(200);
    return res.body as { usedLast24h: number; unreviewedGrants: number };
  };

  /** Monitoring's two numbers, the definitions, and the kept rows against a recount of every hour. */
  const expectExact = async () => {
    const [truth] = await dbRows<{ used: number; unreviewed: number }>(
      h,
      sql`select (select count(*)::int from tokens where status = 'used' and used_at > now() - interval '24 hours') as used,
                 (select count(*)::int from grants where reviewed_at is null) as unreviewed`,
    );
    const got = await monitoring();
    expect({ used: got.usedLast24h, unreviewed: got.unreviewedGrants }).toEqual(truth);
    const [kept] = await dbRows<{ unreviewed: number }>(h, sql`select coalesce(sum(unreviewed), 0)::int as unreviewed from grant_counts`);
    expect(kept!.unreviewed).toBe(truth!.unreviewed);
    const hours = async (q: ReturnType<typeof sql>) =>
      Object.fromEntries((await dbRows<{ hour: string; n: number }>(h, q)).map((r) => [new Date(r.hour).toISOString(), r.n]));
    expect(await hours(sql`select hour, sum(n)::int as n from token_use_hours group by hour having sum(n) <> 0`)).toEqual(
      await hours(sql`select token_use_hour(used_at) as hour, count(*)::int as n from tokens where status = 'used' and used_at is not null group by 1`),
    );
    return truth!;
  };

  const validate = async (user: TestUser, token: string) => {
    const res = await h.http('POST', '/api/v1/tokens/validate', { cookie: user.cookie, body: { token, reason: 'sepsis bay 4' } });
    expect(res.status).toBe(200);
    return res.body.grant as { id: string };
  };

  it('follow validation, review, revocation and the sweep', async () => {
    const [a, b] = nurses as [TestUser, TestUser];
    const mine = await generate(h, admin, { count: 5, userId: a.id });
    const general = await generate(h, admin, { count: 2 });
    const before = await expectExact();
    const g1 = await validate(a, mine[0]!.token);
    const g2 = await validate(b, general[0]!.token);
    await validate(a, mine[1]!.token);
    let now = await expectExact();
    expect(now).toEqual({ used: before.used + 3, unreviewed: before.unreviewed + 3 });

    expect((await h.http('POST', `/api/v1/grants/${g1.id}/review`, { cookie: admin.cookie, body: { verdict: 'justified' } })).status).toBe(200);
    expect((await h.http('POST', `/api/v1/grants/${g2.id}/review`, { cookie: admin.cookie, body: { verdict: 'flagged', note: 'no record' } })).status).toBe(
      200,
    );
    // A second review changes nothing, the counter included.
    expect((await h.http('POST', `/api/v1/grants/${g1.id}/review`, { cookie: admin.cookie, body: { verdict: 'flagged' } })).status).toBe(409);
    now = await expectExact();
    expect(now.unreviewed).toBe(before.unreviewed + 1);

    // Revoked and expired tokens were never used: neither number moves.
    expect((await h.http('DELETE', `/api/v1/tokens/${mine[2]!.id}`, { cookie: admin.cookie })).status).toBe(200);
    await h.runtime.ctx.db.execute(sql`update tokens set expires_at = now() - interval '1 second' where id = ${mine[3]!.id}`);
    await sweepExpired(h.runtime.ctx);
    expect(await expectExact()).toEqual(now);
  });

  it('stay exact at the 24-hour cutoff, for tokens inserted used, moved across hours and deleted', async () => {
    const [, , c] = nurses as [TestUser, TestUser, TestUser];
    // Inserted already used (the statement-level path), on both sides of the cutoff and in its hour.
    await h.runtime.ctx.db.execute(
      sql`insert into tokens (hash, length, status, user_id, used_by, used_at, expires_at)
          select md5('used-' || g), 6, 'used', ${c.id}::uuid, ${c.id}::uuid, now() - make_interval(mins => g), now() + interval '30 days'
          from unnest(array[1, 60, 23 * 60 + 30, 24 * 60 - 1, 24 * 60 + 1, 25 * 60, 30 * 60]) g`,
    );
    const inserted = await expectExact();
    // Moved across the cutoff both ways by an update of used_at alone (the row path).
    await h.runtime.ctx.db.execute(
      sql`update tokens set used_at = used_at - interval '2 minutes' where hash = md5('used-' || (24 * 60 - 1)) and status = 'used'`,
    );
    expect((await expectExact()).used).toBe(inserted.used - 1);
    await h.runtime.ctx.db.execute(
      sql`update tokens set used_at = used_at + interval '2 minutes' where hash = md5('used-' || (24 * 60 + 1)) and status = 'used'`,
    );
    expect((await expectExact()).used).toBe(inserted.used);
    // A grant opened and dropped outside the API (a repair, a test): both triggers' other paths.
    const [tk] = await dbRows<{ id: string }>(h, sql`select id from tokens where hash = md5('used-' || 1) and status = 'used'`);
    await h.runtime.ctx.db.execute(
      sql`insert into grants (user_id, token_id, reason, expires_at) values (${c.id}, ${tk!.id}, 'repair', now() + interval '30 minutes')`,
    );
    expect((await expectExact()).unreviewed).toBe(inserted.unreviewed + 1);
    await h.runtime.ctx.db.execute(sql`delete from grants where token_id = ${tk!.id}`);
    // The seven inserted tokens go in one statement; four of them were inside the window.
    await h.runtime.ctx.db.execute(sql`delete from tokens where hash in (select md5('used-' || g) from generate_series(1, 2000) g)`);
    expect(await expectExact()).toEqual({ used: inserted.used - 4, unreviewed: inserted.unreviewed });
  });

  it('keep the counted hours through the sweep, which drops only hours older than two days', async () => {
    const [a] = nurses as [TestUser];
    const [tk] = await generate(h, admin, { count: 1, userId: a.id });
    await validate(a, tk!.token);
    // An hour three days back (as a restored or migrated row would leave it), and today's.
    await h.runtime.ctx.db.execute(
      sql`insert into tokens (hash, length, status, user_id, used_by, used_at, expires_at)
          values (md5('old-use'), 6, 'used', ${a.id}, ${a.id}, now() - interval '3 days', now() + interval '30 days')`,
    );
    const before = await expectExact();
    await sweepExpired(h.runtime.ctx);
    const [old] = await dbRows<{ n: number }>(h, sql`select count(*)::int as n from token_use_hours where hour < now() - interval '2 days'`);
    expect(old!.n).toBe(0);
    expect(await monitoring()).toMatchObject({ usedLast24h: before.used, unreviewedGrants: before.unreviewed });
  });
});
