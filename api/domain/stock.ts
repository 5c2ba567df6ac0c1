// A user's stock of available tokens, and the low-stock alert sent once per crossing of the threshold.
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { tokens } from '../../db/schema';
import { slackEnabled, type Ctx } from './context';
import { EVENTS_CHANNEL } from './events';
import { OUTBOX_CHANNEL, orderingKeySql } from './outbox';

/** Tokens the user can still use: available, unexpired, assigned to them. */
export async function availableCount(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(tokens)
    .where(and(eq(tokens.userId, userId), eq(tokens.status, 'available'), gt(tokens.expiresAt, sql`now()`)));
  return row?.n ?? 0;
}

/**
 * After the user's stock changed: re-arm the alert when it is at or above the threshold; and, when it
 * fell (a use, an expiry, a revocation), alert if it is now under the threshold and they have not been
 * told since it was last at or above. Never right after it rose (an approval or new tokens that still
 * leave them under): "running low" beside "here are your new tokens" would be wrong. One statement (so it
 * is atomic on its own, and can also run inside a caller's transaction): the conditional upsert makes the
 * alert happen once even when two instances see the same crossing, and the notice is queued and
 * announced with it.
 */
export async function checkStock(ctx: Ctx, ex: Executor, userId: string, change: 'fell' | 'rose'): Promise<void> {
  const threshold = ctx.config.lowTokenThreshold;
  if (change === 'rose') {
    await ex.execute(
      sql`update stock_alerts set alerted = false, changed_at = now()
          where user_id = ${userId} and alerted
            and (select count(*) from tokens where user_id = ${userId} and status = 'available' and expires_at > now()) >= ${threshold}`,
    );
    return;
  }
  await ex.execute(
    sql`with stock as (
          select count(*)::int as n from tokens where user_id = ${userId} and status = 'available' and expires_at > now()
        ), rearmed as (
          update stock_alerts set alerted = false, changed_at = now()
          where user_id = ${userId} and alerted and (select n from stock) >= ${threshold}
        ), alerted as (
          insert into stock_alerts (user_id, alerted) select ${userId}, true from stock where n < ${threshold}
          on conflict (user_id) do update set alerted = true, changed_at = now() where stock_alerts.alerted = false
          returning user_id
        ), queued as (
          insert into outbox (kind, payload, ordering_key, request_id)
          select 'stock.low', jsonb_build_object('userId', ${userId}::uuid, 'available', (select n from stock)), ${orderingKeySql.dm(sql`${userId}`)}, ${ctx.requestId ?? null}::text
          from alerted where ${slackEnabled(ctx)}::boolean
          returning id
        )
        select pg_notify(${EVENTS_CHANNEL}, json_build_object('type', 'stock.low', 'userId', ${userId}::uuid, 'available', (select n from stock), 'threshold', ${threshold}::int, 'at', now())::text),
               (select pg_notify(${OUTBOX_CHANNEL}, '') from queued limit 1)
        from alerted`,
  );
}
