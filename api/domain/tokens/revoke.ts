// Revocation: an available token taken out of use by an admin, audited and announced.
import { and, eq, sql } from 'drizzle-orm';
import { tokens } from '../../../db/schema';
import { requireAdmin, type Actor, type Ctx } from '../context';
import { audit, auditFor } from '../audit';
import { fail } from '../errors';
import { publish } from '../events';
import { checkStock } from '../stock';
import { presentToken } from './present';

export async function revokeToken(ctx: Ctx, actor: Actor, id: string) {
  requireAdmin(actor);
  return ctx.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(tokens)
      .set({ status: 'revoked', revokedAt: sql`now()`, sealed: null })
      .where(and(eq(tokens.id, id), eq(tokens.status, 'available')))
      .returning();
    if (!revoked) {
      const [t] = await tx.select({ status: tokens.status }).from(tokens).where(eq(tokens.id, id));
      if (!t) return fail('not_found', 'No such token.');
      return fail('conflict', `This token is ${t.status} and cannot be revoked.`, { status: t.status });
    }
    await audit(tx, { action: 'token.revoked', ...auditFor(actor), subjectUserId: revoked.userId, tokenId: revoked.id });
    await publish(tx, { type: 'token.revoked', userId: revoked.userId, tokenId: revoked.id });
    if (revoked.userId) await checkStock(ctx, tx, revoked.userId, 'fell');
    return presentToken(revoked);
  });
}
