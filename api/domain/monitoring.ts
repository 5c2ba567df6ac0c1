// What admins watch: stock by status, recent use, pending work, and who is running low.
import { sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import { requireAdmin, type Actor, type Ctx } from './context';
import { recentActivity } from './audit';

export async function monitoringSummary(ctx: Ctx, actor: Actor, opts: { threshold?: number | undefined; lowStockLimit?: number } = {}) {
  requireAdmin(actor);
  const threshold = opts.threshold ?? ctx.config.lowTokenThreshold;
  const [counts] = await rows<{ available: number; used: number; expired: number; revoked: number; total: number; used_last_24h: number }>(
    ctx.db,
    sql`select
          count(*) filter (where status = 'available' and expires_at > now())::int as available,
          count(*) filter (where status = 'used')::int as used,
          count(*) filter (where status = 'expired' or (status = 'available' and expires_at <= now()))::int as expired,
          count(*) filter (where status = 'revoked')::int as revoked,
          count(*)::int as total,
          count(*) filter (where status = 'used' and used_at > now() - interval '24 hours')::int as used_last_24h
        from tokens`,
  );
  const [pending] = await rows<{ pending: number; unreviewed: number }>(
    ctx.db,
    sql`select
          (select count(*)::int from token_requests where status = 'pending' and expires_at > now()) as pending,
          (select count(*)::int from grants g where not exists (select 1 from grant_reviews r where r.grant_id = g.id)) as unreviewed`,
  );
  const lowStockUsers = await lowStock(ctx, threshold, opts.lowStockLimit ?? 100);
  return {
    threshold,
    tokens: {
      available: counts?.available ?? 0,
      used: counts?.used ?? 0,
      expired: counts?.expired ?? 0,
      revoked: counts?.revoked ?? 0,
      total: counts?.total ?? 0,
    },
    usedLast24h: counts?.used_last_24h ?? 0,
    pendingRequests: pending?.pending ?? 0,
    unreviewedGrants: pending?.unreviewed ?? 0,
    lowStockUsers,
    recentActivity: await recentActivity(ctx.db, 20),
  };
}

/** Active staff (and admins, who hold tokens too) whose available stock is under the threshold, lowest first. */
export async function lowStock(ctx: Ctx, threshold: number, limit: number) {
  return rows<{ userId: string; name: string; username: string; slackUserId: string | null; available: number }>(
    ctx.db,
    sql`select u.id as "userId", u.name, u.username, u.slack_user_id as "slackUserId", coalesce(s.n, 0)::int as available
        from users u
        left join (select user_id, count(*) as n from tokens
                   where status = 'available' and expires_at > now() and user_id is not null
                   group by user_id) s on s.user_id = u.id
        where u.active and coalesce(s.n, 0) < ${threshold}
        order by available, u.name, u.id
        limit ${limit}`,
  );
}
