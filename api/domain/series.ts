// Monitoring over time, for the admins' charts: validations and requests per day (last 30 days) and per
// hour (last 24 hours), the top users by use, and the ward's token stock at the end of each day. Each is
// one SQL statement over index ranges (audit_action_at_idx covers outcome and actor, migration 0006; the
// token indexes name the moments tokens leave the stock), so they stay fast at millions of events.
// Buckets follow the caller's time zone: a ward's "day" is its own midnight to midnight.
import { sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import { requireAdmin, type Actor, type Ctx } from './context';
import { fail } from './errors';
import { overdueToken } from './sql/tokens';
import { rollUpActivity, SLOT_SECONDS } from './series-rollup';

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
  const { count, step } = ACTIVITY_BUCKETS[input.bucket];
  const unit = input.bucket;
  const tz = input.tz;
  await rollUpActivity(ctx.db);
  const points = await inZone(tz, () =>
    rows<{ start: Date | string; validated: number; failed: number; requested: number }>(
      ctx.db,
      sql`with buckets as (
            select generate_series(date_trunc(${unit}, now() at time zone ${tz}) - ${count - 1} * ${step}::interval,
                                   date_trunc(${unit}, now() at time zone ${tz}), ${step}::interval) as local_start
          ), win as (
            -- The rollup answers for whole slots inside the window when every bucket starts on a slot
            -- boundary (true of every zone in use; a zone that is not falls back to the events alone).
            select min(local_start) at time zone ${tz} as since,
                   bool_and(mod(extract(epoch from local_start at time zone ${tz}), ${SLOT_SECONDS}) = 0) as aligned
            from buckets
          ), rolled as (
            select case when w.aligned then greatest(w.since, coalesce(st.closed_until, w.since)) else w.since end as until
            from win w, series_rollup_state st
          ), counted as (
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
  return {
    bucket: input.bucket,
    tz,
    points: points.map((p) => ({ start: new Date(p.start).toISOString(), validated: p.validated, failed: p.failed, requested: p.requested })),
  };
}

/** Who validated most in the last `days` days (successes first, then failures), with names. */
export async function topUsers(ctx: Ctx, actor: Actor, input: { days: number; limit: number }) {
  requireAdmin(actor);
  const items = await rows<{ userId: string; name: string; username: string; validated: number; failed: number }>(
    ctx.db,
    sql`with top as (
          select a.actor_id,
                 count(*) filter (where a.outcome = 'success')::int as validated,
                 count(*) filter (where a.outcome = 'failure')::int as failed
          from audit_events a
          where a.action = 'token.validated' and a.at >= now() - make_interval(days => ${input.days}) and a.actor_id is not null
          group by a.actor_id
          order by validated desc, failed desc, a.actor_id
          limit ${input.limit}
        )
        select top.actor_id as "userId", u.name, u.username, top.validated, top.failed
        from top join users u on u.id = top.actor_id
        order by top.validated desc, top.failed desc, top.actor_id`,
  );
  return { days: input.days, items };
}

/**
 * Usable tokens (available and unexpired) at the end of each of the last 30 days, the last point being
 * now. Computed backwards from today's stock: each day's stock is today's, minus the tokens created since,
 * plus those that left it since (used, revoked, or expired unused). So it needs no history table and is
 * right from the first day, and each term is one index range. `moves` is materialized: inlined into the
 * per-day subquery, the planner ran every token scan once per day (30 times).
 */
export async function stockHistory(ctx: Ctx, actor: Actor, input: { tz: string }) {
  requireAdmin(actor);
  const tz = input.tz;
  const points = await inZone(tz, () =>
    rows<{ at: Date | string; available: number }>(
      ctx.db,
      sql`with days as (
            select generate_series(date_trunc('day', now() at time zone ${tz}) - ${STOCK_DAYS - 1} * interval '1 day',
                                   date_trunc('day', now() at time zone ${tz}), interval '1 day') as day
          ), since as (
            select (min(day) + interval '1 day') at time zone ${tz} as ts from days
          ), moves as materialized (
            select day, sum(n) as delta from (
              select date_trunc('day', created_at at time zone ${tz}) as day, count(*) as n from tokens
              where status in ('available', 'used', 'expired', 'revoked') and created_at > (select ts from since) group by 1
              union all
              select date_trunc('day', used_at at time zone ${tz}), -count(*) from tokens
              where status = 'used' and used_at > (select ts from since) group by 1
              union all
              select date_trunc('day', revoked_at at time zone ${tz}), -count(*) from tokens
              where status = 'revoked' and revoked_at > (select ts from since) group by 1
              union all
              select date_trunc('day', expires_at at time zone ${tz}), -count(*) from tokens
              where status = 'expired' and expires_at > (select ts from since) and expires_at <= now() group by 1
              union all
              select date_trunc('day', expires_at at time zone ${tz}), -count(*) from tokens
              where ${overdueToken()} and expires_at > (select ts from since) group by 1
            ) m group by day
          ), stock_now as (
            select coalesce((select sum(n) from token_counts where status = 'available'), 0)
                   - (select count(*) from tokens where ${overdueToken()}) as n
          )
          select least((d.day + interval '1 day') at time zone ${tz}, now()) as at,
                 ((select n from stock_now) - coalesce((select sum(delta) from moves where moves.day > d.day), 0))::int as available
          from days d
          order by d.day`,
    ),
  );
  return { tz, points: points.map((p) => ({ at: new Date(p.at).toISOString(), available: p.available })) };
}
