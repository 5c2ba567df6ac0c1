// The expiry sweep: tokens past their expiry become expired, undecided requests past their TTL become
// expired (and the requester and admin channel are told). Instance-safe: one sweeper at a time holds a
// transaction-scoped advisory lock; the others skip.
import { sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import type { Ctx } from './context';
import { audit } from './audit';
import { publish } from './events';
import { enqueue } from './outbox';
import { checkStock } from './stock';

const SWEEP_LOCK = 7_341_002;
const BATCH = 500;

export async function sweepExpired(ctx: Ctx): Promise<{ tokens: number; requests: number; skipped: boolean }> {
  return ctx.db.transaction(async (tx) => {
    const [lock] = await rows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK}) as ok`);
    if (!lock?.ok) return { tokens: 0, requests: 0, skipped: true };

    const expiredTokens = await rows<{ id: string; user_id: string | null }>(
      tx,
      sql`update tokens set status = 'expired', sealed = null
          where id in (select id from tokens where status = 'available' and expires_at <= now() order by expires_at limit ${BATCH} for update skip locked)
          returning id, user_id`,
    );
    for (const t of expiredTokens) await audit(tx, { action: 'token.expired', subjectUserId: t.user_id, tokenId: t.id });
    for (const userId of new Set(expiredTokens.map((t) => t.user_id).filter((u): u is string => u !== null))) await checkStock(ctx, tx, userId);

    const expiredRequests = await rows<{ id: string; user_id: string }>(
      tx,
      sql`update token_requests set status = 'expired'
          where id in (select id from token_requests where status = 'pending' and expires_at <= now() limit ${BATCH} for update skip locked)
          returning id, user_id`,
    );
    for (const r of expiredRequests) {
      await audit(tx, { action: 'request.expired', subjectUserId: r.user_id, requestId: r.id });
      await publish(tx, { type: 'request.decided', userId: r.user_id, requestId: r.id, status: 'expired' });
      await enqueue(ctx, tx, { kind: 'request.decided', payload: { requestId: r.id } });
    }
    return { tokens: expiredTokens.length, requests: expiredRequests.length, skipped: false };
  });
}
