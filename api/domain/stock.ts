// A user's stock of available tokens, and the low-stock alert sent once per crossing of the threshold.
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';
import type { Ctx } from './context';
import { notifyEvent } from './events';
import { outboxInsert, wakeOutbox } from './sql/outbox';
import type { Val } from './sql/value';
import { overdueToken, stockOf } from './sql/tokens';
import { tokens } from '../../db/schema';

/** Tokens the user can still use: available, unexpired, assigned to them. */
export async function availableCount(ex: Executor, userId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(ex, sql`select ${stockOf(userId)} as n`);
  return row?.n ?? 0;
}

/**
 * After the user's stock changed: re-arm the alert when it is at or above the threshold; and, when it
 * fell (an expiry, a revocation), alert if it is now under the threshold and they have not been told
 * since it was last at or above. Never right after it rose (an approval or new tokens that still leave
 * them under): "running low" beside "here are your new tokens" would be wrong. Runs inside the caller's
 * transaction, after its change, so the count sees it; the conditional upsert makes the alert happen once
 * even when two instances see the same crossing, and the notice is queued and announced (NOTIFY) with the
 * commit. A validation checks its own use inside its one statement (`stockAfterUse`).
 */
export async function checkStock(ctx: Ctx, tx: Executor, userId: string, change: 'fell' | 'rose'): Promise<void> {
  const threshold = ctx.config.lowTokenThreshold;
  if (change === 'rose') {
    await tx.execute(sql`update stock_alerts set alerted = false, changed_at = now()
        where user_id = ${userId} and alerted and ${stockOf(userId)} >= ${threshold}`);
    return;
  }
  const alert = stockAlert(userId, threshold, (available) => outboxInsert(ctx, { kind: 'stock.low', payload: { userId, available } }, sql`stock_alerted`));
  await tx.execute(sql`with stock as (select ${stockOf(userId)} as n), ${alert.ctes}
      select ${notifyEvent(alert.event)}${alert.queued ? sql`, (select ${wakeOutbox} from stock_queued limit 1)` : sql``}
      from stock_alerted`);
}

/**
 * The alert rule over a `stock` CTE (one row, `n`: the stock after the change) as CTEs of the statement
 * that made the change: `stock_rearmed` (at or above the threshold again), `stock_alerted` (a row when
 * this change alerts) and, when `queue` gives a message, `stock_queued`. `event` is stock.low's payload,
 * to select from `stock_alerted`.
 */
export function stockAlert(userId: Val<string>, threshold: Val<number>, queue: (available: SQL) => SQL | null) {
  const available = sql`(select n from stock)`;
  const queued = queue(available);
  return {
    ctes: sql`stock_rearmed as (
        update stock_alerts set alerted = false, changed_at = now()
        where user_id = ${userId} and alerted and (select n from stock) >= ${threshold}
      ), stock_alerted as (
        insert into stock_alerts (user_id, alerted) select ${userId}, true from stock where n < ${threshold}
        on conflict (user_id) do update set alerted = true, changed_at = now() where stock_alerts.alerted = false
        returning user_id
      )${queued ? sql`, stock_queued as (${queued} returning id)` : sql``}`,
    event: { type: 'stock.low', userId, available, threshold } as const,
    queued: queued !== null,
  };
}

/**
 * The stock after a validation used one of the caller's own tokens, as the `stock` CTE of the validation's
 * statement (after its `used` CTE). Not counted from the statement's snapshot: two validations by one
 * person at once would each count the other's token as still there, and a crossing between them would go
 * unnoticed. Instead the person's `user_stock` row is locked (the counters' trigger updates it at the end
 * of every use), which waits for any other use of theirs in flight and then reads its committed count,
 * less this use and less tokens past their expiry that the sweep has not marked yet.
 */
export const stockAfterUse: SQL = sql`select s.available - 1 - (select count(*)::int from ${tokens} where ${tokens.userId} = s.user_id and ${overdueToken()}) as n
    from user_stock s where s.user_id = (select user_id from used)
    for update of s`;
