// Stock over time from a rollup of token moves per 15-minute slot (migration 0017), so a request sums at
// most ~2,900 slot rows instead of reading every token created, used, revoked or expired in 30 days.
//
// A token is in the stock (usable) at T when it was created before T and leaves it at or after T. It
// leaves when it is used (used_at), revoked (revoked_at), or reaches its expiry unused (expires_at), which
// ever comes first: a token revoked after its expiry had left at the expiry (it was no longer usable, and
// that is what the chart showed then). An available token leaves at its expiry once that is past. A leave
// recorded before the creation (hand-made rows) counts at the creation, so no token is ever counted below
// zero. `tokenMoves` lists these moves for a time range, each term one index range on tokens.
//
// When are the moves before a time final? created_at, used_at and revoked_at are their transaction's
// now(): as for audit events, none can appear before series-rollup.ts's cutoff (the oldest open
// transaction's start, less a few seconds, not rounded to a slot edge: the slot holding closed_until has
// its moves before it in its row, and the next rollup adds the rest of that slot to the same row). A
// leave by expiry before the cutoff cannot move either: a use or revocation that would come first needs a
// transaction started before the expiry, so before the cutoff, and it has committed; a later revocation
// does not move the leave (it stays at the expiry). What the rule cannot see are rows written by hand with
// earlier times (seeds, tests; the API never does): a token inserted back-dated shows as a difference
// between `counted` (tokens created before closed_until, as rolled up) and the table, and the rollup then
// starts again from the tokens themselves. Editing a rolled-up token's times by hand is not caught.
//
// stock_rollup_state.available is the stock at closed_until; a day's end T before it (a slot edge) is that
// stock less the net moves of the slot rows from T on, which are the moves in [T, closed_until); the last
// point, now, is today's stock from token_counts.
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../../db/client';
import { cutoffFor, ORIGIN, SLOT, type RollupAt } from './series-rollup';

const STOCK_LOCK = 7_341_012;
/** Slots rolled up behind the cutoff when starting afresh: enough for a 30-day chart in any zone. */
const FRESH_DAYS = 32;

/** When the token leaves the stock, before the creation rule (null: it has not left, as of now()). */
const rawLeave = sql`(case when t.status = 'used' then coalesce(t.used_at, '-infinity'::timestamptz)
                           when t.status = 'revoked' then least(t.revoked_at, t.expires_at)
                           when t.status = 'expired' or t.expires_at <= now() then t.expires_at end)`;
/** What its leaving was: used, revoked (before its expiry), or expired unused. */
const leaveKind = sql`(case when t.status = 'used' then 'used' when t.status = 'revoked' and t.revoked_at < t.expires_at then 'revoked' else 'expired' end)`;
/** When the token leaves the stock (null: not yet). */
export const leaveAt = sql`(case when ${rawLeave} is not null then greatest(t.created_at, ${rawLeave}) end)`;

/**
 * The moves with `at` in [from, to): (at, created 1 / 0, kind of leave or null). Disjoint terms, each an
 * index range: creations (with the leaves that count at the creation), then each way of leaving.
 */
export function tokenMoves(from: SQL, to: SQL): SQL {
  const ALL = sql`('available', 'used', 'revoked', 'expired')`;
  return sql`
    select t.created_at as at, 1 as created, case when ${rawLeave} < t.created_at then ${leaveKind} end as kind
    from tokens t where t.status in ${ALL} and t.created_at >= ${from} and t.created_at < ${to}
    union all
    select t.used_at, 0, 'used' from tokens t
    where t.status = 'used' and t.used_at >= ${from} and t.used_at < ${to} and t.used_at >= t.created_at
    union all
    select t.revoked_at, 0, 'revoked' from tokens t
    where t.status = 'revoked' and t.revoked_at >= ${from} and t.revoked_at < ${to} and t.revoked_at < t.expires_at and t.revoked_at >= t.created_at
    union all
    -- revoked at or after its expiry, or with no time: it left at the expiry (revocations are rare: no index)
    select t.expires_at, 0, 'expired' from tokens t
    where t.status = 'revoked' and t.expires_at >= ${from} and t.expires_at < ${to} and t.expires_at >= t.created_at
      and (t.revoked_at is null or t.revoked_at >= t.expires_at)
    union all
    select t.expires_at, 0, 'expired' from tokens t
    where t.status = 'expired' and t.expires_at >= ${from} and t.expires_at < ${to} and t.expires_at >= t.created_at
    union all
    select t.expires_at, 0, 'expired' from tokens t
    where t.status = 'available' and t.expires_at <= now() and t.expires_at >= ${from} and t.expires_at < ${to} and t.expires_at >= t.created_at`;
}

/** The net change of the stock over the moves in [from, to): created less left. */
export const netMoves = (from: SQL, to: SQL): SQL => sql`(select coalesce(sum(m.created - (m.kind is not null)::int), 0) from (${tokenMoves(from, to)}) m)`;

/** Today's stock: available and unexpired (token_counts less the tokens overdue for the sweep). */
export const stockNow = sql`(coalesce((select sum(n) from token_counts where status = 'available'), 0)
                             - (select count(*) from tokens where status = 'available' and expires_at <= now()))`;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Bring stock_slots up to date (one transaction, one rollup at a time); `at` as in series-rollup.ts. */
export async function rollUpStock(db: Db, at: RollupAt = {}): Promise<void> {
  await db.transaction(async (tx) => {
    await rows(tx, sql`select pg_advisory_xact_lock(${STOCK_LOCK})`);
    const cutoff = await cutoffFor(tx, at);
    const [s] = await rows<{ closed_until: Date | string | null; counted: string }>(
      tx,
      sql`select closed_until, counted::text as counted from stock_rollup_state`,
    );
    // Tokens created before closed_until now, against those rolled up: a value, not a join, so the planner
    // sees a short range of the creation index (a vague estimate made it JIT-compile a 1 ms statement).
    const [present] =
      s?.closed_until == null
        ? [null]
        : await rows<{ n: string }>(
            tx,
            sql`select ((select coalesce(sum(n), 0) from token_counts)
                        - (select count(*) from tokens where status in ('available', 'used', 'revoked', 'expired')
                           and created_at >= ${new Date(s.closed_until).toISOString()}::timestamptz))::text as n`,
          );
    if (!s) return;
    const prev = s.closed_until === null ? null : new Date(s.closed_until);
    if (prev === null || present?.n !== s.counted) {
      // Start afresh (first time, or tokens appeared behind closed_until): from the tokens themselves.
      if (cutoff === null) {
        if (prev !== null) await rows(tx, sql`update stock_rollup_state set closed_until = null, available = 0, counted = 0`);
        return;
      }
      await rows(tx, sql`delete from stock_slots`);
      await rows(
        tx,
        sql`with moves as (${tokenMoves(sql`date_bin(${SLOT}, ${ts(cutoff)} - ${FRESH_DAYS} * interval '1 day', ${ORIGIN})`, ts(cutoff))}),
            added as (
              insert into stock_slots (slot, created, used, revoked, expired)
              select date_bin(${SLOT}, m.at, ${ORIGIN}), sum(m.created)::int, count(*) filter (where m.kind = 'used')::int,
                     count(*) filter (where m.kind = 'revoked')::int, count(*) filter (where m.kind = 'expired')::int
              from moves m group by 1
              returning 1
            ), whole as (
              select count(*) filter (where t.created_at < ${ts(cutoff)} and coalesce(${leaveAt}, 'infinity') >= ${ts(cutoff)}) as available,
                     count(*) filter (where t.created_at < ${ts(cutoff)}) as counted
              from tokens t
            )
            update stock_rollup_state set closed_until = ${ts(cutoff)}, available = whole.available, counted = whole.counted from whole`,
      );
      return;
    }
    if (cutoff === null || cutoff <= prev) return;
    await rows(
      tx,
      sql`with moves as materialized (${tokenMoves(ts(prev), ts(cutoff))}),
          added as (
            insert into stock_slots as s (slot, created, used, revoked, expired)
            select date_bin(${SLOT}, m.at, ${ORIGIN}), sum(m.created)::int, count(*) filter (where m.kind = 'used')::int,
                   count(*) filter (where m.kind = 'revoked')::int, count(*) filter (where m.kind = 'expired')::int
            from moves m group by 1
            on conflict (slot) do update set created = s.created + excluded.created, used = s.used + excluded.used,
                                             revoked = s.revoked + excluded.revoked, expired = s.expired + excluded.expired
            returning 1
          ), net as (select coalesce(sum(created), 0) as created, count(kind) as left_ from moves)
          update stock_rollup_state set closed_until = ${ts(cutoff)}, available = available + net.created - net.left_, counted = counted + net.created
          from net`,
    );
  });
}
