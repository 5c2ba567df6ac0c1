// Hourly pruning of handled-request receipts (api/domain/slack-receipts.ts keeps the rule).
import type { Logger } from 'pino';
import type { Ctx } from '../api/domain/context';
import { pruneSlackReceipts } from '../api/domain/slack-receipts';

export function startReceiptPruning(ctx: Ctx, log: Logger, everyMs = 3_600_000): () => void {
  const timer = setInterval(() => void pruneSlackReceipts(ctx).catch((err: unknown) => log.warn({ err }, 'slack: pruning receipts failed')), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
