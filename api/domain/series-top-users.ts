// Top users over the default window (30 days) from a maintained per-actor total, so a request reads the
// head of one index instead of counting a month of validations over ~100k actors (migration 0017).
//
// series_top_totals holds, per actor, the validations with `at` in [window_start, closed_until) among the
// events with id <= max_id (the events the last rollup saw). A rollup, run by the readers and the periodic
// sweep under an advisory lock (never by validation), moves both ends: it adds the events up to the cutoff
// of series-rollup.ts (no open transaction can still write before it), and
// those back-dated behind closed_until since (id > max_id), and subtracts the events of the slots that left
// the window. window_start is a slot edge at or before "now - 30 days"; a request's window starts at its own
// now() - 30 days, in the middle of that slot.
//
// A request is then exact: the actors whose count differs from their total are the ones with events in
// the open tail (at >= closed_until), in the partial slot at the window's start, or back-dated since the
// rollup; all of them are recounted from the events (index ranges of audit_action_at_idx and the primary
// key). Every other actor's count is its total, so the top `limit` among them are the first `limit +
// (recounted actors)` rows of the ranking index that are not recounted.
import { sql } from 'drizzle-orm';
import { rows, type Db, type Executor } from '../../db/client';
import { cutoffFor, ORIGIN, SLOT, type RollupAt } from './series-rollup';

const TOP_LOCK = 7_341_011;
/** The window the totals are kept for: the chart's default. Other windows are counted from the events. */
export const TOP_WINDOW_DAYS = 30;

export interface TopUser {
  userId: string;
  name: string;
  username: string;
  validated: number;
  failed: number;
}

const since = (days: number) => sql`now() - make_interval(days => ${days})`;
const counted = sql`count(*) filter (where a.outcome = 'success')::int as v, count(*) filter (where a.outcome = 'failure')::int as f`;
const validations = sql`a.action = 'token.validated' and a.actor_id is not null`;

/**
 * Move the totals' window to the cutoff and to "now - 30 days"; one rollup at a time. `at` as in
 * series-rollup.ts (`clock`, in tests, also moves the window's start).
 */
export async function rollUpTopUsers(db: Db, at: RollupAt = {}): Promise<void> {
  const clock = at.clock;
  await db.transaction(async (tx) => {
    await rows(tx, sql`select pg_advisory_xact_lock(${TOP_LOCK})`);
    // The activity view first (or the caller's earlier look), the events in later statements (later
    // snapshots): see series-rollup.ts.
    const cutoff = await cutoffFor(tx, at);
    const [s] = await rows<{ ws: Date | string | null; we: Date | string | null; max_id: string; top: string | null; start: Date | string }>(
      tx,
      sql`select window_start as ws, closed_until as we, max_id::text as max_id, (select max(id) from audit_events)::text as top,
                 date_bin(${SLOT}, ${clock ? sql`${clock.toISOString()}::timestamptz` : sql`now()`} - make_interval(days => ${TOP_WINDOW_DAYS}), ${ORIGIN}) as start
          from series_top_state`,
    );
    if (!s) return;
    const start = new Date(s.start);
    const ws = s.ws === null ? null : new Date(s.ws);
    const we = s.we === null ? null : new Date(s.we);
    if (ws === null || we === null || start >= we) {
      // Nothing kept, or the whole window moved past what was: count the window afresh.
      if (cutoff === null || cutoff <= start) {
        if (we !== null) await rows(tx, sql`update series_top_state set window_start = null, closed_until = null, max_id = 0`);
        return;
      }
      await rows(tx, sql`delete from series_top_totals`);
      await rows(
        tx,
        sql`with fresh as (
              insert into series_top_totals (actor_id, validated, failed)
              select a.actor_id, ${counted} from audit_events a
              where ${validations} and a.at >= ${start.toISOString()}::timestamptz and a.at < ${cutoff.toISOString()}::timestamptz
              group by a.actor_id
              returning 1
            )
            update series_top_state set window_start = ${start.toISOString()}::timestamptz, closed_until = ${cutoff.toISOString()}::timestamptz,
                   max_id = coalesce((select max(id) from audit_events), 0)`,
      );
      return;
    }
    const until = cutoff !== null && cutoff > we ? cutoff : we;
    if (until.getTime() === we.getTime() && start.getTime() === ws.getTime() && BigInt(s.top ?? 0) <= BigInt(s.max_id)) return;
    // One statement: the totals and the new state come from the same snapshot.
    await rows(
      tx,
      sql`with delta as (
            -- newly closed: from the last cutoff to this one
            select a.actor_id, ${counted} from audit_events a
            where ${validations} and a.at >= ${we.toISOString()}::timestamptz and a.at < ${until.toISOString()}::timestamptz
            group by a.actor_id
            union all
            -- back-dated into the closed slots still in the window since the last rollup
            select a.actor_id, ${counted} from audit_events a
            where a.id > ${s.max_id}::bigint and ${validations} and a.at >= ${start.toISOString()}::timestamptz and a.at < ${we.toISOString()}::timestamptz
            group by a.actor_id
            union all
            -- the slots that left the window (the events that were counted in them)
            select a.actor_id, -count(*) filter (where a.outcome = 'success')::int, -count(*) filter (where a.outcome = 'failure')::int
            from audit_events a
            where ${validations} and a.at >= ${ws.toISOString()}::timestamptz and a.at < ${start.toISOString()}::timestamptz and a.id <= ${s.max_id}::bigint
            group by a.actor_id
          ), summed as (
            select actor_id, sum(v)::int as v, sum(f)::int as f from delta group by actor_id having sum(v) <> 0 or sum(f) <> 0
          ), added as (
            insert into series_top_totals as t (actor_id, validated, failed) select actor_id, v, f from summed
            on conflict (actor_id) do update set validated = t.validated + excluded.validated, failed = t.failed + excluded.failed
            returning 1
          )
          update series_top_state
          set window_start = ${start.toISOString()}::timestamptz, closed_until = ${until.toISOString()}::timestamptz,
              max_id = greatest(max_id, coalesce((select max(id) from audit_events), 0))`,
    );
    // Actors whose last counted validation left the window (last in the ranking index: a short range).
    await rows(tx, sql`delete from series_top_totals where validated = 0 and failed = 0`);
  });
}

/** The ranking from the events alone: the definition, and the answer for windows other than the kept one. */
export function topUsersDirect(ex: Executor, days: number, limit: number): Promise<TopUser[]> {
  return rows<TopUser>(
    ex,
    sql`with top as (
          select a.actor_id, ${counted} from audit_events a
          where ${validations} and a.at >= ${since(days)}
          group by a.actor_id
          order by v desc, f desc, a.actor_id
          limit ${limit}
        )
        select top.actor_id as "userId", u.name, u.username, top.v as validated, top.f as failed
        from top join users u on u.id = top.actor_id
        order by top.v desc, top.f desc, top.actor_id`,
  );
}

/** The ranking over the kept window: the totals, corrected for the actors with events at its edges. */
export async function topUsersRolled(ex: Executor, limit: number): Promise<TopUser[] | null> {
  // The state as values, not a join: the planner then sees how narrow each range is (the back-dated term
  // is a short range of the primary key, not the whole window of audit_action_at_idx).
  const [st] = await rows<{ ws: Date | string | null; we: Date | string | null; max_id: string }>(
    ex,
    sql`select window_start as ws, closed_until as we, max_id::text as max_id from series_top_state`,
  );
  if (!st || st.ws === null || st.we === null) return null;
  const ws = sql`${new Date(st.ws).toISOString()}::timestamptz`;
  const we = sql`${new Date(st.we).toISOString()}::timestamptz`;
  const maxId = sql`${st.max_id}::bigint`;
  return rows<TopUser>(
    ex,
    sql`with w as materialized (select ${since(TOP_WINDOW_DAYS)} as since),
        edge as (
          -- the open tail
          select a.actor_id, a.outcome, 1 as n from audit_events a
          where ${validations} and a.at >= greatest(${we}, (select since from w))
          union all
          -- the part of the window before window_start (when the rollup's window started later)
          select a.actor_id, a.outcome, 1 from audit_events a
          where ${validations} and a.at >= (select since from w) and a.at < least(${ws}, ${we})
          union all
          -- counted in the totals but now before the window's start
          select a.actor_id, a.outcome, -1 from audit_events a
          where ${validations} and a.at >= ${ws} and a.at < least((select since from w), ${we}) and a.id <= ${maxId}
          union all
          -- back-dated into the closed slots since the rollup
          select a.actor_id, a.outcome, 1 from audit_events a
          where a.id > ${maxId} and ${validations} and a.at >= greatest(${ws}, (select since from w)) and a.at < ${we}
        ), adj as materialized (
          select actor_id, coalesce(sum(n) filter (where outcome = 'success'), 0)::int as v,
                 coalesce(sum(n) filter (where outcome = 'failure'), 0)::int as f
          from edge group by actor_id
        ), candidates as (
          select actor_id from adj
          union
          select actor_id from (
            select actor_id from series_top_totals order by validated desc, failed desc, actor_id limit ${limit} + (select count(*) from adj)
          ) head
        ), ranked as (
          select c.actor_id, coalesce((select t.validated from series_top_totals t where t.actor_id = c.actor_id), 0) + coalesce(adj.v, 0) as v,
                 coalesce((select t.failed from series_top_totals t where t.actor_id = c.actor_id), 0) + coalesce(adj.f, 0) as f
          from candidates c left join adj on adj.actor_id = c.actor_id
        ), top as (
          select actor_id, v, f from ranked where v + f > 0 order by v desc, f desc, actor_id limit ${limit}
        )
        select top.actor_id as "userId", u.name, u.username, top.v as validated, top.f as failed
        from top join users u on u.id = top.actor_id
        order by top.v desc, top.f desc, top.actor_id`,
  );
}
