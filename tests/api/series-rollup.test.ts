// The activity series read a rollup of 15-minute slots (series_slots) up to a cutoff that need not sit on
// a slot edge, plus the newest events live. Its answers must be the ones the events alone give: each
// answer is compared with the direct query over audit_events (the series' definition), and each slot row
// with the events of its slot before the cutoff, around a slot split by the cutoff and completed later,
// after events arrive in slots already rolled up (back-dated), and (on Postgres) around a transaction that
// was open while the rollup ran. Both on PGlite and (when there is one) Postgres.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityPoints } from '../../api/domain/series';
import { CUTOFF_MARGIN_MS, rollUpActivity, rollupCutoff, SLOT_SECONDS } from '../../api/domain/series-rollup';
import { postgresAvailable } from '../helpers/database';
import { dbRows, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

const backends = [{ name: 'PGlite', postgres: false }, ...(postgresAvailable ? [{ name: 'Postgres', postgres: true }] : [])];
const SLOT_MS = SLOT_SECONDS * 1000;
const HOUR = 3600_000;

let h: Harness;
let admin: TestUser;
let nurse: TestUser;

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

/** The rollup as it stands, not moved first (the API always rolls up before it reads). */
const asItStands = (bucket: 'day' | 'hour', tz: string) => activityPoints(h.runtime.ctx.db, bucket, tz);

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

async function expectSame(read: typeof viaApi = viaApi) {
  for (const tz of ZONES) {
    for (const bucket of ['day', 'hour'] as const) {
      const api = await read(bucket, tz);
      expect(api, `${bucket} ${tz}`).toEqual(await direct(bucket, tz));
    }
  }
}

/** Every slot row holds exactly the events of its slot before closed_until: none lost, none twice. */
async function expectSlotsRight() {
  const wrong = await dbRows<{ slot: Date | string }>(
    h,
    sql`with ev as (
          select date_bin(${`${SLOT_SECONDS} seconds`}::interval, a.at, timestamptz '2000-01-01 00:00:00+00') as slot,
                 count(*) filter (where a.action = 'token.validated' and a.outcome = 'success')::int as v,
                 count(*) filter (where a.action = 'token.validated' and a.outcome = 'failure')::int as f,
                 count(*) filter (where a.action = 'request.created')::int as r
          from audit_events a, series_rollup_state st
          where a.action in ('token.validated', 'request.created') and a.at < st.closed_until
          group by 1
        )
        select coalesce(e.slot, s.slot) as slot from ev e full join series_slots s on s.slot = e.slot
        where coalesce(e.v, 0) <> coalesce(s.validated, 0) or coalesce(e.f, 0) <> coalesce(s.failed, 0) or coalesce(e.r, 0) <> coalesce(s.requested, 0)`,
  );
  expect(wrong).toEqual([]);
}

const state = async () =>
  (
    await dbRows<{ closed_until: Date | null; slots: number }>(
      h,
      sql`select closed_until, (select count(*)::int from series_slots) as slots from series_rollup_state`,
    )
  )[0]!;

describe.each(backends)('activity from the rollup ($name)', ({ postgres }) => {
  beforeAll(async () => {
    h = await startHarness({}, postgres ? { postgres: true } : {});
    admin = await quickUser(h, 'admin', { name: 'Admin Rollup' });
    nurse = await quickUser(h, 'staff', { name: 'Nurse Rollup' });
  });
  afterAll(() => h?.close());

  it('splits the slot that holds the cutoff: its events before it rolled up, the rest live, then completed once', async () => {
    // A cutoff seven minutes into a slot two hours ago (the rollup run as of then), events on both sides
    // of it in that slot, and in the slots around it.
    const slot = Math.floor((Date.now() - 2 * HOUR) / SLOT_MS) * SLOT_MS;
    const cutoff = slot + 7 * 60_000;
    const at = (t: number, action: string, outcome: 'success' | 'failure') =>
      h.runtime.ctx.db.execute(
        sql`insert into audit_events (at, action, outcome, actor_id) values (${new Date(t).toISOString()}::timestamptz, ${action}, ${outcome}::audit_outcome, ${nurse.id}::uuid)`,
      );
    await at(slot - 60_000, 'token.validated', 'success'); // the slot before
    await at(slot + 60_000, 'token.validated', 'success');
    await at(cutoff - 1, 'token.validated', 'failure');
    await at(cutoff, 'token.validated', 'success'); // at the cutoff: after it
    await at(cutoff + 3 * 60_000, 'request.created', 'success');
    await at(slot + SLOT_MS - 1, 'token.validated', 'failure');
    await at(slot + SLOT_MS, 'token.validated', 'success'); // the slot after
    await rollUpActivity(h.runtime.ctx.db, { clock: new Date(cutoff + CUTOFF_MARGIN_MS) });
    const [row] = await dbRows<{ closed_until: Date | string; validated: number; failed: number; requested: number }>(
      h,
      sql`select st.closed_until, s.validated, s.failed, s.requested from series_rollup_state st join series_slots s on s.slot = ${new Date(slot).toISOString()}::timestamptz`,
    );
    expect(new Date(row!.closed_until).getTime()).toBe(cutoff);
    expect(row).toMatchObject({ validated: 1, failed: 1, requested: 0 });
    await expectSlotsRight();
    await expectSame(asItStands);

    // Back-dated into the part already rolled up, and more after the cutoff; then a rollup as of five
    // minutes into the next slot completes the split slot and splits the next.
    await at(slot + 2 * 60_000, 'request.created', 'success');
    await at(cutoff + 60_000, 'token.validated', 'success');
    await rollUpActivity(h.runtime.ctx.db, { clock: new Date(slot + SLOT_MS + 5 * 60_000 + CUTOFF_MARGIN_MS) });
    const [done] = await dbRows<{ validated: number; failed: number; requested: number }>(
      h,
      sql`select validated, failed, requested from series_slots where slot = ${new Date(slot).toISOString()}::timestamptz`,
    );
    expect(done).toEqual({ validated: 3, failed: 2, requested: 2 });
    await expectSlotsRight();
    await expectSame(asItStands);
    // And moved to now by the requests.
    await expectSame();
    await expectSlotsRight();
  });

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
    await expectSlotsRight();
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
      expect(held!.getTime()).toBeLessThanOrEqual(rows[0]!.at.getTime() - CUTOFF_MARGIN_MS);
      await expectSame();
      await client.query(`insert into audit_events (action, outcome, actor_id) values ('token.validated', 'failure', $1)`, [nurse.id]);
      await client.query('commit');
      await expectSame();
      await expectSlotsRight();
      expect((await rollupCutoff(h.runtime.ctx.db, later))!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await client.end();
    }
  });
});
