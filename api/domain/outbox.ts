// The outbox: messages for Slack are written in the change's transaction and delivered afterwards by a
// worker that any number of instances may run (FOR UPDATE SKIP LOCKED), with retries and backoff.
import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { outbox, type OutboxRow } from '../../db/schema';
import { slackEnabled, type Ctx } from './context';

export type OutboxMessage =
  | { kind: 'request.created'; payload: { requestId: string } }
  | { kind: 'request.decided'; payload: { requestId: string } }
  | { kind: 'tokens.deliver'; payload: { userId: string } }
  | { kind: 'grant.opened'; payload: { grantId: string } }
  | { kind: 'grant.reviewed'; payload: { grantId: string } }
  | { kind: 'lockout'; payload: { userId: string; lockedUntil: string } }
  | { kind: 'stock.low'; payload: { userId: string; available: number } };

export const OUTBOX_CHANNEL = 'et_outbox';

export async function enqueue(ctx: Ctx, tx: Executor, message: OutboxMessage): Promise<void> {
  if (!slackEnabled(ctx)) return;
  await tx.insert(outbox).values({ kind: message.kind, payload: message.payload });
  // Wakes the workers on commit, so delivery does not wait for the next poll.
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
}

/** Delivers one row; throwing leaves it for a later attempt. Runs inside the transaction that holds the row. */
export type Deliver = (row: OutboxRow, tx: Tx) => Promise<void>;

const backoffSeconds = (attempts: number) => Math.min(300, 2 ** attempts);

/**
 * Deliver every due row, oldest first, one row per transaction so a slow or failing message never holds
 * back the others' commits. Returns how many were sent.
 */
export async function deliverDue(ctx: Ctx, deliver: Deliver, opts: { limit?: number; onError?: (row: OutboxRow, err: unknown) => void } = {}): Promise<number> {
  let sent = 0;
  const seen = new Set<number>();
  for (let i = 0; i < (opts.limit ?? 100); i++) {
    const outcome = await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(outbox)
        .where(and(isNull(outbox.sentAt), lte(outbox.nextAttemptAt, sql`now()`)))
        .orderBy(asc(outbox.id))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!row || seen.has(row.id)) return 'empty' as const;
      seen.add(row.id);
      try {
        await tx.transaction(async (inner) => deliver(row, inner as Tx));
        await tx.update(outbox).set({ sentAt: sql`now()`, attempts: row.attempts + 1, lastError: null }).where(eq(outbox.id, row.id));
        return 'sent' as const;
      } catch (err) {
        opts.onError?.(row, err);
        await tx
          .update(outbox)
          .set({
            attempts: row.attempts + 1,
            lastError: String(err instanceof Error ? err.message : err).slice(0, 500),
            nextAttemptAt: sql`now() + make_interval(secs => ${backoffSeconds(row.attempts + 1)})`,
          })
          .where(eq(outbox.id, row.id));
        return 'failed' as const;
      }
    });
    if (outcome === 'empty') break;
    if (outcome === 'sent') sent++;
  }
  return sent;
}

/** Make every pending row due now (used after Slack comes back, and by tests). */
export async function retryNow(ctx: Ctx): Promise<void> {
  await ctx.db.update(outbox).set({ nextAttemptAt: sql`now()` }).where(isNull(outbox.sentAt));
}

export interface OutboxWorker {
  stop(): Promise<void>;
  /** Run one delivery pass now. */
  kick(): Promise<number>;
}

export async function startOutboxWorker(
  ctx: Ctx,
  deliver: Deliver,
  opts: { intervalMs?: number; onError?: (row: OutboxRow, err: unknown) => void; onCrash?: (err: unknown) => void } = {},
): Promise<OutboxWorker> {
  let running: Promise<number> | null = null;
  let stopped = false;
  const kick = () => {
    if (stopped) return Promise.resolve(0);
    running ??= deliverDue(ctx, deliver, { onError: opts.onError })
      .catch((err) => {
        opts.onCrash?.(err);
        return 0;
      })
      .finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => void kick(), opts.intervalMs ?? 2000);
  timer.unref();
  const unlisten = await ctx.database.listen(OUTBOX_CHANNEL, () => void kick());
  void kick();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unlisten();
      await running;
    },
  };
}
