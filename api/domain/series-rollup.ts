// The activity series' rollup (migration 0014): validations and requests per 15-minute UTC slot, so a
// 30-day chart sums ~2,900 small rows plus the last minutes live, instead of every event of the month.
// Filled lazily by the readers, never by the bedside path: validation writes its event as before.
//
// When may a slot be closed (summed once, never looked at again)? An event's `at` is its transaction's
// start (now()), and it becomes visible only at commit, so "every event before T is visible" holds once
// no transaction that started before T is still open. The cutoff is therefore the start of the oldest
// open transaction in this database (pg_stat_activity; a session we may not see, or a prepared
// transaction, stops the rollup from moving on: the answers stay exact, only computed live), less a
// minute against a backend that has started but not yet reported its transaction, rounded down to a slot.
//
// Events written with an explicit, earlier `at` (seeds, imports, tests; the API never does) can still
// land behind the cutoff: max_id, the highest event id seen by the last rollup, finds them (id > max_id
// and at < closed_until) and adds them to their slots. No event is counted twice: one counted by time has
// at >= the previous cutoff, one counted by id has at < it, and every event a rollup saw has id <= max_id.
import { sql } from 'drizzle-orm';
import { rows, type Db, type Executor } from '../../db/client';

const ROLLUP_LOCK = 7_341_010;
/** The slot width; every time zone's offset and DST switch is a multiple of it. */
export const SLOT_SECONDS = 900;
export const SLOT = sql.raw(`'${SLOT_SECONDS} seconds'::interval`);
export const ORIGIN = sql.raw(`timestamptz '2000-01-01 00:00:00+00'`);

/**
 * Where the rollup may close slots up to: the slot edge at or before the oldest open transaction's start
 * (or `clock`, the time now), less a minute; null when some transaction's start cannot be known. A rollup
 * that keeps no slots (the top users' totals) takes the moment itself (`aligned: false`), so its live
 * tail is the last minute or so rather than up to a quarter of an hour.
 */
export async function rollupCutoff(ex: Executor, clock?: Date, opts: { aligned?: boolean } = {}): Promise<Date | null> {
  const [row] = await rows<{ cutoff: Date | string | null }>(
    ex,
    sql`with oldest as (
          select least(
            ${clock ? sql`${clock.toISOString()}::timestamptz` : sql`clock_timestamp()`},
            (select min(case when a.query = '<insufficient privilege>' then '-infinity'::timestamptz else a.xact_start end)
             from pg_stat_activity a
             where a.datname = current_database() and a.pid <> pg_backend_pid()
               and coalesce(a.backend_type, 'client backend') = 'client backend'),
            (select min('-infinity'::timestamptz) from pg_prepared_xacts p where p.database = current_database())
          ) - interval '1 minute' as t
        )
        select case when isfinite(t) then ${opts.aligned === false ? sql`t` : sql`date_bin(${SLOT}, t, ${ORIGIN})`} end as cutoff from oldest`,
  );
  return row?.cutoff == null ? null : new Date(row.cutoff);
}

/** Bring series_slots up to date: one transaction, one rollup at a time (the others wait, then find little to do). */
export async function rollUpActivity(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await rows(tx, sql`select pg_advisory_xact_lock(${ROLLUP_LOCK})`);
    // First the activity view, then (a later statement, a later snapshot) the events: a transaction that
    // had started before the cutoff and committed in between is visible to the rollup.
    const cutoff = await rollupCutoff(tx);
    const [s] = await rows<{ closed_until: Date | string | null; max_id: string; top: string | null }>(
      tx,
      sql`select closed_until, max_id::text as max_id, (select max(id) from audit_events)::text as top from series_rollup_state`,
    );
    if (!s) return;
    const prev = s.closed_until === null ? null : new Date(s.closed_until);
    const moves = cutoff !== null && (prev === null || cutoff > prev);
    if (!moves && BigInt(s.top ?? 0) <= BigInt(s.max_id)) return;
    const until = moves ? cutoff : prev;
    // One statement: the slots and the new state come from the same snapshot.
    await rows(
      tx,
      sql`with st as (select coalesce(closed_until, '-infinity') as prev, max_id from series_rollup_state),
          fresh as (
            select a.at, a.action, a.outcome from audit_events a, st
            where a.action in ('token.validated', 'request.created') and a.at >= st.prev and a.at < ${until}::timestamptz
            union all
            select a.at, a.action, a.outcome from audit_events a, st
            where a.id > st.max_id and a.at < st.prev and a.action in ('token.validated', 'request.created')
          ), added as (
            insert into series_slots as s (slot, validated, failed, requested)
            select date_bin(${SLOT}, f.at, ${ORIGIN}),
                   count(*) filter (where f.action = 'token.validated' and f.outcome = 'success')::int,
                   count(*) filter (where f.action = 'token.validated' and f.outcome = 'failure')::int,
                   count(*) filter (where f.action = 'request.created')::int
            from fresh f group by 1
            on conflict (slot) do update set validated = s.validated + excluded.validated, failed = s.failed + excluded.failed,
                                             requested = s.requested + excluded.requested
            returning 1
          )
          update series_rollup_state
          set closed_until = ${until}::timestamptz,
              max_id = greatest(max_id, coalesce((select max(id) from audit_events), 0))`,
    );
  });
}
