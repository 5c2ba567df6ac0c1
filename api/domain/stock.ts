// A user's stock of available tokens, and the low-stock alert sent once per crossing of the threshold.
import { and, eq, gt, sql } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';
import { tokens } from '../../db/schema';
import type { Ctx } from './context';
import { publish } from './events';
import { enqueue } from './outbox';

/** Tokens the user can still use: available, unexpired, assigned to them. */
export async function availableCount(ex: Executor, userId: string): Promise<number> {
  const [row] = await ex
    .select({ n: sql<number>`count(*)::int` })
    .from(tokens)
    .where(and(eq(tokens.userId, userId), eq(tokens.status, 'available'), gt(tokens.expiresAt, sql`now()`)));
  return row?.n ?? 0;
}

/**
 * After the user's stock changed: alert when it is under the threshold and they have not been told since
 * it last crossed; re-arm when it is back at or above. The conditional upsert makes the alert happen once
 * even when two instances see the same crossing.
 */
export async function checkStock(ctx: Ctx, tx: Executor, userId: string): Promise<void> {
  const available = await availableCount(tx, userId);
  if (available >= ctx.config.lowTokenThreshold) {
    await tx.execute(sql`update stock_alerts set alerted = false, changed_at = now() where user_id = ${userId} and alerted`);
    return;
  }
  const alerted = await rows<{ user_id: string }>(
    tx,
    sql`insert into stock_alerts (user_id, alerted) values (${userId}, true)
        on conflict (user_id) do update set alerted = true, changed_at = now() where stock_alerts.alerted = false
        returning user_id`,
  );
  if (alerted.length === 0) return;
  await publish(tx, { type: 'stock.low', userId, available, threshold: ctx.config.lowTokenThreshold });
  await enqueue(ctx, tx, { kind: 'stock.low', payload: { userId, available } });
}
