// The activity series' rollup (migration 0014): validations and requests per 15-minute UTC slot, so a
// 30-day chart sums ~2,900 small rows plus the last minutes live, instead of every event of the month.
// Filled lazily by the readers, never by the bedside path: validation writes its event as before.
//
// When may events be counted into the slots (summed once, never looked at again)? An event's `at` is its
// transaction's start (now()), and it becomes visible only at commit, so "every event before T is visible"
// holds once no transaction that started before T is still open. The cutoff is therefore the start of the
// oldest open transaction in this database (pg_stat_activity; a session we may not see, a prepared
// transaction, or activity tracking switched off stops the rollup from moving on: the answers stay
// exact, only computed live), less a few seconds, and not rounded to a slot edge: a slot row then holds
// the events of its slot before closed_until, and the next rollup adds the rest of that slot to the same
// row. A reader sums the rows of slots that start before closed_until and counts the events from
// closed_until on: each event once, and the live tail stays seconds long even after a burst.
//
// Why a few seconds suffice: Postgres takes now() from the first statement's start time and publishes it
// as xact_start in the same function (StartTransaction), right after reading that statement's message, so
// the only open transaction the view can miss is one whose backend is between those two steps: a few
// instructions, unless the scheduler stops it there. At commit the transaction leaves the process array
// (its rows become visible) before xact_start is cleared, so there is no gap at the end. The margin covers
// a backend stalled for seconds on a loaded machine; it does not cover the system clock stepping forward
// by more than the margin within that instant.
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

/** How far behind the oldest open transaction's start the cutoff stays (see above). */
export const CUTOFF_MARGIN_MS = 5_000;

/**
 * Where the rollups may count up to: the oldest open transaction's start (or `clock`, the time now), less
 * the margin; null when some transaction's start cannot be known.
 */
export async function rollupCutoff(ex: Executor, clock?: Date): Promise<Date | null> {
  const [row] = await rows<{ cutoff: Date | string | null }>(
    ex,
    sql`with oldest as (
          select least(
            ${clock ? sql`${clock.toISOString()}::timestamptz` : sql`clock_timestamp()`},
            (select min(case when a.query = '<insufficient privilege>' then '-infinity'::timestamptz else a.xact_start end)
             from pg_stat_activity a
             where a.datname = current_database() and a.pid <> pg_backend_pid()
               and coalesce(a.backend_type, 'client backend') = 'client backend'),
            (select min('-infinity'::timestamptz) from pg_prepared_xacts p where p.database = current_database()),
            -- without activity tracking every xact_start reads null
            (select '-infinity'::timestamptz where not current_setting('track_activities')::boolean)
          ) - make_interval(secs => ${CUTOFF_MARGIN_MS / 1000}) as t
        )
        select case when isfinite(t) then t end as cutoff from oldest`,
  );
  return row?.cutoff == null ? null : new Date(row.cutoff);
}

/**
 * When a rollup runs. `clock`: as if it were that time (tests; never later than now). `cutoff`: one the
 * caller looked up before the rollup's transaction (the sweep shares one among the rollups; an earlier
 * lookup only holds the cutoff further back, never past a transaction still open).
 */
export interface RollupAt {
  clock?: Date;
  cutoff?: Date | null;
}

/** The cutoff for a rollup: the caller's, or looked up now (in the rollup's transaction, before its reads of the rows). */
export const cutoffFor = (ex: Executor, at: RollupAt): Promise<Date | null> =>
  at.cutoff !== undefined ? Promise.resolve(at.cutoff) : rollupCutoff(ex, at.clock);

/** Bring series_slots up to date: one transaction, one rollup at a time (the others wait, then find little to do). */
export async function rollUpActivity(db: Db, at: RollupAt = {}): Promise<void> {
  await db.transaction(async (tx) => {
    await rows(tx, sql`select pg_advisory_xact_lock(${ROLLUP_LOCK})`);
    // First the activity view, then (a later statement, a later snapshot) the events: a transaction that
    // had started before the cutoff and committed in between is visible to the rollup.
    const cutoff = await cutoffFor(tx, at);
    const [s] = await rows<{ closed_until: Date | string | null; max_id: string; top: string | null }>(
      tx,
      sql`select closed_until, max_id::text as max_id, (select max(id) from audit_events)::text as top from series_rollup_state`,
    );
    if (!s) return;
    const prev = s.closed_until === null ? null : new Date(s.closed_until);
    const moves = cutoff !== null && (prev === null || cutoff > prev);
    if (!moves && BigInt(s.top ?? 0) <= BigInt(s.max_id)) return;
    const until = moves ? cutoff : prev;
    // One statement: the slots and the new state come from the same snapshot. The state as values (read
    // under the lock), not a join: the planner then sees two short ranges, not the whole events index.
    const from = prev === null ? sql`'-infinity'::timestamptz` : sql`${prev.toISOString()}::timestamptz`;
    await rows(
      tx,
      sql`with fresh as (
            select a.at, a.action, a.outcome from audit_events a
            where a.action in ('token.validated', 'request.created') and a.at >= ${from} and a.at < ${until}::timestamptz
            union all
            select a.at, a.action, a.outcome from audit_events a
            where a.id > ${s.max_id}::bigint and a.at < ${from} and a.action in ('token.validated', 'request.created')
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
