// Monitoring over time, for the admins' charts: validations and requests per day (last 30 days) and per
// hour (last 24 hours), the top users by use, and the ward's token stock at the end of each day. Each
// reads a rollup of closed 15-minute slots kept lazily by the readers and the periodic sweep (activity:
// series-rollup.ts; top users over 30 days: series-top-users.ts; stock: series-stock.ts) plus the newest
// rows live, so they stay fast at millions of events and stay exact (the tests compare them with the
// rows alone). Buckets follow the caller's time zone: a ward's "day" is its own midnight to midnight.
import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/client';
import { requireAdmin, type Actor, type Ctx } from './context';
import { fail } from './errors';
import { rollUpActivity, rollupCutoff, SLOT_SECONDS } from './series-rollup';
import { netMoves, rollUpStock, stockNow, tokenMoves } from './series-stock';
import { rollUpTopUsers, TOP_WINDOW_DAYS, topUsersDirect, topUsersRolled } from './series-top-users';

export const ACTIVITY_BUCKETS = { day: { count: 30, step: '1 day' }, hour: { count: 24, step: '1 hour' } } as const;
export type ActivityBucket = keyof typeof ACTIVITY_BUCKETS;
export const STOCK_DAYS = 30;

/** IANA zone names ("Asia/Jakarta", "UTC", "Etc/GMT-7"); the database has the final word on which exist. */
export const timeZonePattern = /^(?:UTC|[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2})$/;

/** Run a query that converts to `tz`; an unknown zone is the caller's mistake (400), not ours. */
async function inZone<T>(tz: string, run: () => Promise<T>): Promise<T> {
  if (!timeZonePattern.test(tz) || tz.length > 64) return fail('invalid_input', 'Unknown time zone.', { tz: 'unknown time zone' });
  try {
    return await run();
  } catch (err) {
    const e = err as { code?: string; cause?: { code?: string } };
    if ((e.cause?.code ?? e.code) === '22023') return fail('invalid_input', 'Unknown time zone.', { tz: 'unknown time zone' });
    throw err;
  }
}

export interface ActivityPoint {
  start: string;
  validated: number;
  failed: number;
  requested: number;
}

/** Successful and failed validations and new token requests per bucket, oldest first, empty buckets included. */
export async function activitySeries(ctx: Ctx, actor: Actor, input: { bucket: ActivityBucket; tz: string }) {
  requireAdmin(actor);
  await rollUpActivity(ctx.db);
  return { bucket: input.bucket, tz: input.tz, points: await activityPoints(ctx.db, input.bucket, input.tz) };
}

/** The activity series' points from the rollup as it stands (activitySeries rolls it up first). */
export async function activityPoints(db: Db, bucket: ActivityBucket, tz: string): Promise<ActivityPoint[]> {
  const { count, step } = ACTIVITY_BUCKETS[bucket];
  const unit = bucket;
  const points = await inZone(tz, () =>
    rows<{ start: Date | string; validated: number; failed: number; requested: number }>(
      db,
      sql`with buckets as (
            select generate_series(date_trunc(${unit}, now() at time zone ${tz}) - ${count - 1} * ${step}::interval,
                                   date_trunc(${unit}, now() at time zone ${tz}), ${step}::interval) as local_start
          ), win as (
            -- The rollup answers for the slots inside the window when every bucket starts on a slot
            -- boundary (true of every zone in use; a zone that is not falls back to the events alone).
            select min(local_start) at time zone ${tz} as since,
                   bool_and(mod(extract(epoch from local_start at time zone ${tz}), ${SLOT_SECONDS}) = 0) as aligned
            from buckets
          ), rolled as (
            select case when w.aligned then greatest(w.since, coalesce(st.closed_until, w.since)) else w.since end as until
            from win w, series_rollup_state st
          ), counted as (
            -- The slots that start before closed_until hold its events before it (the last one may hold part
            -- of its slot); the events from closed_until on are counted here.
            select date_trunc(${unit}, s.slot at time zone ${tz}) as local_start, s.validated, s.failed, s.requested
            from series_slots s
            where s.slot >= (select since from win) and s.slot < (select until from rolled)
            union all
            select date_trunc(${unit}, a.at at time zone ${tz}),
                   count(*) filter (where a.action = 'token.validated' and a.outcome = 'success')::int,
                   count(*) filter (where a.action = 'token.validated' and a.outcome = 'failure')::int,
                   count(*) filter (where a.action = 'request.created')::int
            from audit_events a
            where a.action in ('token.validated', 'request.created') and a.at >= (select until from rolled)
            group by 1
          ), summed as (
            select local_start, sum(validated)::int as validated, sum(failed)::int as failed, sum(requested)::int as requested
            from counted group by 1
          )
          select b.local_start at time zone ${tz} as start,
                 coalesce(c.validated, 0) as validated, coalesce(c.failed, 0) as failed, coalesce(c.requested, 0) as requested
          from buckets b left join summed c on c.local_start = b.local_start
          order by b.local_start`,
    ),
  );
  return points.map((p) => ({ start: new Date(p.start).toISOString(), validated: p.validated, failed: p.failed, requested: p.requested }));
}

/**
 * Who validated most in the last `days` days (successes first, then failures), with names. The default
 * window (30 days) ranks from maintained totals (series-top-users.ts); other windows count the events.
 */
export async function topUsers(ctx: Ctx, actor: Actor, input: { days: number; limit: number }) {
  requireAdmin(actor);
  if (input.days === TOP_WINDOW_DAYS) {
    await rollUpTopUsers(ctx.db);
    const items = await topUsersRolled(ctx.db, input.limit);
    if (items) return { days: input.days, items };
  }
  return { days: input.days, items: await topUsersDirect(ctx.db, input.days, input.limit) };
}

/**
 * Usable tokens (available and unexpired) at the end of each of the last 30 days, the last point being
 * now. Each day's end is the stock at the rollup's closed_until less the net moves of the closed slots
 * since that day's end (series-stock.ts); the last point is today's stock. Without a rollup (none yet, or
 * a zone whose days do not end on a slot edge) each day's end is today's stock less the moves since.
 */
export async function stockHistory(ctx: Ctx, actor: Actor, input: { tz: string }) {
  requireAdmin(actor);
  await rollUpStock(ctx.db);
  return { tz: input.tz, points: await stockPoints(ctx.db, input.tz) };
}

/** The stock history's points from the rollup as it stands (stockHistory rolls it up first). */
export async function stockPoints(db: Db, tz: string): Promise<Array<{ at: string; available: number }>> {
  type Row = { at: Date | string; available: number; rolled: boolean; after: boolean };
  const ends = sql`days as (
            select generate_series(date_trunc('day', now() at time zone ${tz}) - ${STOCK_DAYS - 1} * interval '1 day',
                                   date_trunc('day', now() at time zone ${tz}), interval '1 day') as day
          ), ends as (
            select day, (day + interval '1 day') at time zone ${tz} as t from days
          )`;
  // Kept small on purpose: a plan that looked costly (the token moves inlined for the rare day's end
  // after closed_until) had Postgres JIT-compile it, ~0.4 s per request; those few are counted below.
  let points = await inZone(tz, () =>
    rows<Row>(
      db,
      sql`with ${ends}, st as (
            select closed_until as until, available from stock_rollup_state
          ), daysum as materialized (
            select date_trunc('day', s.slot at time zone ${tz}) as day, sum(s.created - s.used - s.revoked - s.expired) as net
            from stock_slots s
            where s.slot >= (select min(t) from ends) and s.slot < (select until from st)
            group by 1
          )
          select least(e.t, now()) as at,
                 (case when e.t > now() then ${stockNow}
                       else (select available from st) - coalesce((select sum(net) from daysum where daysum.day > e.day), 0)
                  end)::int as available,
                 e.t <= now() and e.t > (select until from st) as after,
                 (select until from st) is not null and mod(extract(epoch from e.t)::numeric, ${SLOT_SECONDS}) = 0 as rolled
          from ends e
          order by e.day`,
    ),
  );
  // A day that ended after closed_until (minutes after midnight, or while a long transaction holds the
  // cutoff back): the stock there is the one at closed_until plus the moves since.
  for (const p of points.filter((x) => x.rolled && x.after)) {
    const [m] = await rows<{ net: number }>(
      db,
      sql`select ${netMoves(sql`(select closed_until from stock_rollup_state)`, sql`${new Date(p.at).toISOString()}::timestamptz`)}::int as net`,
    );
    p.available += m!.net;
  }
  if (!points.every((p) => p.rolled)) {
    points = await rows<Row>(
      db,
      sql`with ${ends}, moves as materialized (
            select date_trunc('day', m.at at time zone ${tz}) as day, sum(m.created - (m.kind is not null)::int) as net
            from (${tokenMoves(sql`(select min(t) from ends)`, sql`'infinity'::timestamptz`)}) m
            group by 1
          )
          select least(e.t, now()) as at,
                 (${stockNow} - coalesce((select sum(net) from moves where moves.day > e.day), 0))::int as available, true as rolled, false as after
          from ends e
          order by e.day`,
    );
  }
  return points.map((p) => ({ at: new Date(p.at).toISOString(), available: p.available }));
}

/** Catch every series rollup up (the periodic sweep calls this, so an admin's request rarely has to). */
export async function catchUpSeries(ctx: Ctx): Promise<void> {
  // One look at the open transactions for the three, taken before any of them reads the rows.
  const cutoff = await rollupCutoff(ctx.db);
  await rollUpActivity(ctx.db, { cutoff });
  await rollUpTopUsers(ctx.db, { cutoff });
  await rollUpStock(ctx.db, { cutoff });
}
