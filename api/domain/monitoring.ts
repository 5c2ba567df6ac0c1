// What admins watch: stock by status, recent use, pending work, and who is running low.
import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';
import { Statement } from '../../db/statement';
import { tokens } from '../../db/schema';
import { requireAdmin, type Actor, type Ctx } from './context';
import { recentActivity } from './audit';
import { openRequest } from './sql/requests';
import { overdueToken } from './sql/tokens';

export async function monitoringSummary(ctx: Ctx, actor: Actor, opts: { threshold?: number | undefined; lowStockLimit?: number } = {}) {
  requireAdmin(actor);
  const threshold = opts.threshold ?? ctx.config.lowTokenThreshold;
  // Three reads of their own, side by side on the pool (they never were one snapshot). The counts, planned
  // in about as long as they run (~1.9 ms), are prepared once per connection.
  const [[counts], lowStockUsers, recent] = await Promise.all([
    ctx.database.prepared<Counts>(countsStatement),
    lowStock(ctx, threshold, opts.lowStockLimit ?? 100),
    recentActivity(ctx.db, 20),
  ]);
  const c = counts!;
  return {
    threshold,
    tokens: {
      available: c.available - c.unswept,
      used: c.used,
      expired: c.expired + c.unswept,
      revoked: c.revoked,
      total: c.available + c.used + c.expired + c.revoked,
    },
    usedLast24h: c.used_last_24h,
    pendingRequests: c.pending,
    unreviewedGrants: c.unreviewed,
    lowStockUsers,
    recentActivity: recent,
  };
}

interface Counts {
  available: number;
  used: number;
  expired: number;
  revoked: number;
  unswept: number;
  used_last_24h: number;
  pending: number;
  unreviewed: number;
}

// Counts come from the trigger-maintained counters (a few dozen rows each; migrations 0003, 0016, 0018),
// corrected by the tokens that are past their expiry but not yet swept (a partial index holds only
// those). "Used in the last 24 h" sums the whole hours after the cutoff's hour from token_use_hours and
// counts the cutoff's own hour in tokens (at most an hour of uses, a day ago), so it stays exact.
const countsStatement = new Statement(
  'monitoring_counts',
  sql`select
        coalesce((select sum(n) from token_counts where status = 'available'), 0)::int as available,
        coalesce((select sum(n) from token_counts where status = 'used'), 0)::int as used,
        coalesce((select sum(n) from token_counts where status = 'expired'), 0)::int as expired,
        coalesce((select sum(n) from token_counts where status = 'revoked'), 0)::int as revoked,
        (select count(*) from tokens where ${overdueToken()})::int as unswept,
        (coalesce((select sum(n) from token_use_hours where hour > token_use_hour(now() - interval '24 hours')), 0)
          + (select count(*) from tokens where status = 'used' and used_at > now() - interval '24 hours'
               and used_at < token_use_hour(now() - interval '24 hours') + interval '1 hour'))::int as used_last_24h,
        (select count(*) from token_requests where ${openRequest()})::int as pending,
        coalesce((select sum(unreviewed) from grant_counts), 0)::int as unreviewed`,
);

/**
 * Active users whose stock is under the threshold, lowest first (ties by id; the page is small enough
 * for clients to re-sort). `available` counts usable tokens (sql/tokens.ts): the trigger-kept count per
 * user (status available) less that user's tokens past their expiry but not yet swept, which a partial
 * index holds (few: the sweep runs every minute).
 *
 * Effective stock <= kept, so the lowest `limit` active users by the kept count, plus everyone with overdue
 * tokens, hold the lowest `limit` by effective stock; each candidate is then looked up by key. The overdue
 * holders come in as an array: the planner cannot tell that "available and past expiry" is nearly empty
 * (it multiplies the two conditions' shares, ~9k rows at a million tokens), and planned as a set they made
 * it hash all 100k users (and, once the estimate was bigger, JIT-compile the query), ~50 ms where the
 * lookups take ~3 ms (bench/notes.md, "Monitoring summary"). Not prepared: its generic plan (threshold and
 * limit unknown) hashes all of user_stock, 16 ms against 2.4 ms planned and run with the values.
 */
async function lowStock(ctx: Ctx, threshold: number, limit: number) {
  return rows<{ userId: string; name: string; username: string; slackUserId: string | null; available: number }>(
    ctx.db,
    sql`with candidates as (
          (select s.user_id from user_stock s join users u on u.id = s.user_id
           where s.available < ${threshold} and u.active order by s.available, s.user_id limit ${limit})
          union
          select unnest(array(select ${tokens.userId} from ${tokens} where ${overdueToken()} and ${tokens.userId} is not null))
        )
        select u.id as "userId", u.name, u.username, u.slack_user_id as "slackUserId", st.available
        from candidates c
        cross join lateral (
          select s.available - (select count(*)::int from ${tokens} where ${tokens.userId} = c.user_id and ${overdueToken()}) as available
          from user_stock s where s.user_id = c.user_id
        ) st
        join users u on u.id = c.user_id
        where st.available < ${threshold} and u.active
        order by st.available, c.user_id
        limit ${limit}`,
  );
}

/**
 * Drops the hours of use that "used in the last 24 h" no longer reads (it reads the hours after the one 24 h
 * ago); two days are kept so a slow sweep or a clock step never drops an hour still read. Run by the sweep.
 */
export async function pruneUseHours(ex: Executor) {
  await ex.execute(sql`delete from token_use_hours where hour < now() - interval '2 days'`);
}
