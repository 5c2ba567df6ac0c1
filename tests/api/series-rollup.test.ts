// The activity series read a rollup of closed 15-minute slots (series_slots) plus the newest events live.
// Its answers must be the ones the events alone give: each answer is compared with the direct query over
// audit_events (the series' definition), also after events arrive in slots already rolled up, from a
// back-dated insert or (on Postgres) from a transaction that was open while the rollup ran.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupCutoff } from '../../api/domain/series-rollup';
import { dbRows, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin', { name: 'Admin Rollup' });
  nurse = await quickUser(h, 'staff', { name: 'Nurse Rollup' });
});
afterAll(() => h?.close());

type Point = { start: string; validated: number; failed: number; requested: number };
const BUCKETS = { day: { count: 30, step: '1 day' }, hour: { count: 24, step: '1 hour' } } as const;
const ZONES = ['UTC', 'Asia/Jakarta', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/New_York', 'Pacific/Chatham'];

/** The series' definition: every bucket counted from the events themselves. */
async function direct(bucket: 'day' | 'hour', tz: string): Promise<Point[]> {
  const { count, step } = BUCKETS[bucket];
  const points = await dbRows<{ start: Date | string; validated: number; failed: number; requested: number }>(
    h,
    sql`with buckets as (
          select generate_series(date_trunc(${bucket}, now() at time zone ${tz}) - ${count - 1} * ${step}::interval,
                                 date_trunc(${bucket}, now() at time zone ${tz}), ${step}::interval) as local_start
        ), counted as (
          select date_trunc(${bucket}, a.at at time zone ${tz}) as local_start,
                 count(*) filter (where a.action = 'token.validated' and a.outcome = 'success')::int as validated,
                 count(*) filter (where a.action = 'token.validated' and a.outcome = 'failure')::int as failed,
                 count(*) filter (where a.action = 'request.created')::int as requested
          from audit_events a
          where a.action in ('token.validated', 'request.created') and a.at >= (select min(local_start) from buckets) at time zone ${tz}
          group by 1
        )
        select b.local_start at time zone ${tz} as start, coalesce(c.validated, 0) as validated, coalesce(c.failed, 0) as failed,
               coalesce(c.requested, 0) as requested
        from buckets b left join counted c on c.local_start = b.local_start order by b.local_start`,
  );
  return points.map((p) => ({ start: new Date(p.start).toISOString(), validated: p.validated, failed: p.failed, requested: p.requested }));
}

async function viaApi(bucket: 'day' | 'hour', tz: string): Promise<Point[]> {
  const res = await h.http('GET', `/api/v1/monitoring/activity?bucket=${bucket}&tz=${encodeURIComponent(tz)}`, { cookie: admin.cookie });
  expect(res.status).toBe(200);
  return res.body.points as Point[];
}

/** Events spread over the last 40 days at odd instants (minute and second offsets cross slot edges). */
async function scatter(n: number, seed: number) {
  await h.runtime.ctx.db.execute(
    sql`insert into audit_events (at, action, outcome, actor_id)
        select now() - ((g * 7919 + ${seed}) % (40 * 86400)) * interval '1 second' - (g % 3) * interval '1 minute',
               (array['token.validated', 'token.validated', 'request.created', 'auth.login'])[1 + g % 4],
               (case when g % 5 = 0 then 'failure' else 'success' end)::audit_outcome, ${nurse.id}::uuid
        from generate_series(1, ${n}::int) g`,
  );
}

async function expectSame() {
  for (const tz of ZONES) {
    for (const bucket of ['day', 'hour'] as const) {
      const api = await viaApi(bucket, tz);
      expect(api, `${bucket} ${tz}`).toEqual(await direct(bucket, tz));
    }
  }
}

const state = async () =>
  (
    await dbRows<{ closed_until: Date | null; slots: number }>(
      h,
      sql`select closed_until, (select count(*)::int from series_slots) as slots from series_rollup_state`,
    )
  )[0]!;

describe('activity from the rollup', () => {
  it('answers exactly as the events do, in zones on whole, half and quarter hours', async () => {
    await scatter(3000, 11);
    await expectSame();
    // The answers came from the rollup: it closed slots up to about now.
    const s = await state();
    expect(s.slots).toBeGreaterThan(100);
    expect(Date.now() - new Date(s.closed_until!).getTime()).toBeLessThan(60 * 60_000);
    const [total] = await dbRows<{ n: number; r: number }>(
      h,
      sql`select (select count(*)::int from audit_events where action in ('token.validated', 'request.created') and at < (select closed_until from series_rollup_state)) as n,
                 (select coalesce(sum(validated + failed + requested), 0)::int from series_slots) as r`,
    );
    expect(total!.r).toBe(total!.n);
  });

  it('counts events that arrive in slots already rolled up (back-dated), once', async () => {
    const before = await state();
    await scatter(1500, 977);
    await expectSame();
    expect((await state()).slots).toBeGreaterThanOrEqual(before.slots);
    // Asked again with nothing new: nothing added twice.
    await expectSame();
  });

  it('never closes a slot that a still open transaction can write into: the cutoff stays before its start', async () => {
    // Two hours from now the slot of this moment would long be closed, but for an open transaction.
    const later = new Date(Date.now() + 2 * 3600_000);
    const alone = await rollupCutoff(h.runtime.ctx.db, later);
    expect(alone!.getTime()).toBeGreaterThan(Date.now());
    if (!h.db.url) return; // PGlite has one connection: no transaction can be open beside this one.
    const client = new pg.Client({ connectionString: h.db.url });
    await client.connect();
    try {
      await client.query('begin');
      // now() is fixed at the transaction's start: its events will carry that instant, however late they commit.
      const { rows } = await client.query<{ at: Date }>('select now() as at');
      const held = await rollupCutoff(h.runtime.ctx.db, later);
      expect(held!.getTime()).toBeLessThanOrEqual(rows[0]!.at.getTime() - 60_000);
      await expectSame();
      await client.query(`insert into audit_events (action, outcome, actor_id) values ('token.validated', 'failure', $1)`, [nurse.id]);
      await client.query('commit');
      await expectSame();
      expect((await rollupCutoff(h.runtime.ctx.db, later))!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await client.end();
    }
  });
});
