// What admins watch: stock by status, recent use, pending work, and who is running low.
import { sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import { requireAdmin, type Actor, type Ctx } from './context';
import { recentActivity } from './audit';
import { openRequest } from './sql/requests';
import { overdueToken } from './sql/tokens';

export async function monitoringSummary(ctx: Ctx, actor: Actor, opts: { threshold?: number | undefined; lowStockLimit?: number } = {}) {
  requireAdmin(actor);
  const threshold = opts.threshold ?? ctx.config.lowTokenThreshold;
  // Counts come from the trigger-maintained counters (a few dozen rows), corrected by the tokens that
  // are past their expiry but not yet swept (a partial index holds only those).
  const [counts] = await rows<{ available: number; used: number; expired: number; revoked: number; unswept: number; used_last_24h: number; pending: number; unreviewed: number }>(
    ctx.db,
    sql`select
          coalesce((select sum(n) from token_counts where status = 'available'), 0)::int as available,
          coalesce((select sum(n) from token_counts where status = 'used'), 0)::int as used,
          coalesce((select sum(n) from token_counts where status = 'expired'), 0)::int as expired,
          coalesce((select sum(n) from token_counts where status = 'revoked'), 0)::int as revoked,
          (select count(*) from tokens where ${overdueToken()})::int as unswept,
          (select count(*) from tokens where status = 'used' and used_at > now() - interval '24 hours')::int as used_last_24h,
          (select count(*) from token_requests where ${openRequest()})::int as pending,
          (select count(*) from grants where reviewed_at is null)::int as unreviewed`,
  );
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
    lowStockUsers: await lowStock(ctx, threshold, opts.lowStockLimit ?? 100),
    recentActivity: await recentActivity(ctx.db, 20),
  };
}

/**
 * Active users whose stock is under the threshold, lowest first (ties by id; the page is small enough
 * for clients to re-sort). `available` counts tokens with status available, the same as the counters.
 */
export async function lowStock(ctx: Ctx, threshold: number, limit: number) {
  return rows<{ userId: string; name: string; username: string; slackUserId: string | null; available: number }>(
    ctx.db,
    sql`select u.id as "userId", u.name, u.username, u.slack_user_id as "slackUserId", s.available
        from user_stock s join users u on u.id = s.user_id
        where s.available < ${threshold} and u.active
        order by s.available, s.user_id
        limit ${limit}`,
  );
}
