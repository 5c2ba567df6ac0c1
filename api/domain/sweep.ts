// The expiry sweep: tokens past their expiry become expired, undecided requests past their TTL become
// expired (and the requester and admin channel are told), pending requests get their reminders, and
// delivered outbox rows and the hours of use monitoring no longer reads are pruned. Instance-safe: one
// sweeper at a time holds a transaction-scoped advisory lock; the others skip.
import { sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import type { Ctx } from './context';
import { audit } from './audit';
import { pruneUseHours } from './monitoring';
import { pruneSentOutbox } from './outbox';
import { expireRequests, remindPendingRequests } from './requests';
import { checkStock } from './stock';
import { overdueToken } from './sql/tokens';

const SWEEP_LOCK = 7_341_002;
const BATCH = 500;

export async function sweepExpired(ctx: Ctx): Promise<{ tokens: number; requests: number; skipped: boolean }> {
  return ctx.db.transaction(async (tx) => {
    const [lock] = await rows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK}) as ok`);
    if (!lock?.ok) return { tokens: 0, requests: 0, skipped: true };

    const expiredTokens = await rows<{ id: string; user_id: string | null }>(
      tx,
      sql`update tokens set status = 'expired', sealed = null
          where id in (select id from tokens where ${overdueToken()} order by expires_at limit ${BATCH} for update skip locked)
          returning id, user_id`,
    );
    for (const t of expiredTokens) await audit(tx, { action: 'token.expired', subjectUserId: t.user_id, tokenId: t.id });
    for (const userId of new Set(expiredTokens.map((t) => t.user_id).filter((u): u is string => u !== null))) await checkStock(ctx, tx, userId, 'fell');

    const requests = await expireRequests(ctx, tx, BATCH);
    await remindPendingRequests(ctx, tx);
    await pruneSentOutbox(tx);
    await pruneUseHours(tx);
    return { tokens: expiredTokens.length, requests, skipped: false };
  });
}
