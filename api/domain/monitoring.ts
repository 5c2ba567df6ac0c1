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
  const [counts] = await rows<{
    available: number;
    used: number;
    expired: number;
    revoked: number;
    unswept: number;
    used_last_24h: number;
    pending: number;
    unreviewed: number;
  }>(
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
 * for clients to re-sort). `available` counts usable tokens (sql/tokens.ts): the trigger-kept count per
 * user (status available) less that user's tokens past their expiry but not yet swept, which a partial
 * index holds (few: the sweep runs every minute).
 */
export async function lowStock(ctx: Ctx, threshold: number, limit: number) {
  return rows<{ userId: string; name: string; username: string; slackUserId: string | null; available: number }>(
    ctx.db,
    sql`with overdue as (
          select user_id, count(*)::int as n from tokens where ${overdueToken()} and user_id is not null group by user_id
        ), candidates as (
          -- effective <= kept, so the lowest \`limit\` by the kept count, plus everyone with overdue tokens,
          -- hold the lowest \`limit\` by effective stock
          (select s.user_id, s.available from user_stock s join users u on u.id = s.user_id
           where s.available < ${threshold} and u.active order by s.available, s.user_id limit ${limit})
          union
          select s.user_id, s.available from user_stock s join overdue o on o.user_id = s.user_id
        ), stock as (
          select c.user_id, c.available - coalesce(o.n, 0) as available from candidates c left join overdue o on o.user_id = c.user_id
        )
        select u.id as "userId", u.name, u.username, u.slack_user_id as "slackUserId", st.available
        from stock st join users u on u.id = st.user_id
        where st.available < ${threshold} and u.active
        order by st.available, st.user_id
        limit ${limit}`,
  );
}
