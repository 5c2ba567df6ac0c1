// A user's stock of available tokens, and the low-stock alert sent once per crossing of the threshold.
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';
import { param, rendered, Statement } from '../../db/statement';
import type { Ctx } from './context';
import { announceCommitted, eventPayload, notifyEvent } from './events';
import { wakeOutboxCommitted } from './outbox';
import { outboxInsert, outboxRow, wakeOutbox } from './sql/outbox';
import type { Val } from './sql/value';
import { stockOf } from './sql/tokens';

/** Tokens the user can still use: available, unexpired, assigned to them. */
export async function availableCount(ex: Executor, userId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(ex, sql`select ${stockOf(userId)} as n`);
  return row?.n ?? 0;
}

/**
 * After the user's stock changed: re-arm the alert when it is at or above the threshold; and, when it
 * fell (a use, an expiry, a revocation), alert if it is now under the threshold and they have not been
 * told since it was last at or above. Never right after it rose (an approval or new tokens that still
 * leave them under): "running low" beside "here are your new tokens" would be wrong. One statement (so it
 * is atomic on its own, and can also run inside a caller's transaction): the conditional upsert makes the
 * alert happen once even when two instances see the same crossing, and the notice is queued and
 * announced with it: on its own, announced once the statement has returned (db/notifier.ts); inside a
 * caller's transaction, by NOTIFY at that transaction's commit.
 */
export async function checkStock(ctx: Ctx, ex: Executor, userId: string, change: 'fell' | 'rose'): Promise<void> {
  const threshold = ctx.config.lowTokenThreshold;
  // On its own (right after a validation) it is a prepared statement; inside a caller's transaction, a
  // plain one on the transaction's connection.
  const alone = ex === ctx.db;
  if (change === 'rose') {
    const rearm = sql`update stock_alerts set alerted = false, changed_at = now()
        where user_id = ${userId} and alerted and ${stockOf(userId)} >= ${threshold}`;
    await (alone ? ctx.database.prepared(new Statement('stock_rearm', rearm)) : ex.execute(rearm));
    return;
  }
  if (!alone) {
    const queue = outboxInsert(ctx, { kind: 'stock.low', payload: { userId, available } }, sql`alerted`);
    await ex.execute(stockFell(userId, threshold, queue, 'notify'));
    return;
  }
  // On its own the statement has committed by now; inside a transaction its NOTIFY waits for the commit.
  const [row] = await ctx.database.prepared<{ event: string; queued?: boolean }>(
    fellAlone(ctx.config.slack === undefined ? 'plain' : 'slack').with({ userId, threshold, requestId: ctx.requestId ?? null }),
  );
  if (row) {
    announceCommitted(ctx.database, [row.event]);
    if (row.queued) wakeOutboxCommitted(ctx);
  }
}

const available = sql`(select n from stock)`;

/**
 * The check after a fall, as one statement: `tell` 'notify' sends stock.low by NOTIFY at the caller's
 * commit; 'return' returns its payload (and whether the notice was queued) for after the commit.
 */
function stockFell(userId: Val<string>, threshold: Val<number>, queue: SQL | null, tell: 'notify' | 'return'): SQL {
  const low = { type: 'stock.low', userId, available, threshold } as const;
  const told =
    tell === 'return'
      ? sql`${eventPayload(low)} as event${queue ? sql`, exists (select 1 from queued) as queued` : sql``}`
      : sql`${notifyEvent(low)}${queue ? sql`, (select ${wakeOutbox} from queued limit 1)` : sql``}`;
  return sql`with stock as (
        select ${stockOf(userId)} as n
      ), rearmed as (
        update stock_alerts set alerted = false, changed_at = now()
        where user_id = ${userId} and alerted and (select n from stock) >= ${threshold}
      ), alerted as (
        insert into stock_alerts (user_id, alerted) select ${userId}, true from stock where n < ${threshold}
        on conflict (user_id) do update set alerted = true, changed_at = now() where stock_alerts.alerted = false
        returning user_id
      )${queue ? sql`, queued as (${queue} returning id)` : sql``}
      select ${told}
      from alerted`;
}

// Right after every validation of an assigned token: rendered once per shape (db/statement.ts).
const fellAlone = rendered('stock_check', (shape: 'slack' | 'plain') => {
  const userId = sql`${param('userId')}::uuid`;
  const threshold = sql`${param('threshold')}::int`;
  const queue = shape === 'slack' ? outboxRow({ kind: 'stock.low', payload: { userId, available } }, param('requestId'), sql`alerted`) : null;
  return stockFell(userId, threshold, queue, 'return');
});
