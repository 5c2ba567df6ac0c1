// Ending every session of one account at once ("sign out everywhere"), for the shared ward phone that
// was left signed in, or a phone that went missing.
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { sessions, signInCodes } from '../../db/schema';
import { audit, auditFor } from './audit';
import type { Actor, Ctx } from './context';

/** Revoke all of the caller's open sessions (this one included) and unused sign-in links; returns how many sessions ended. */
export async function signOutEverywhere(ctx: Ctx, actor: Actor): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.userId, actor.id), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
      .returning({ idHash: sessions.idHash });
    await tx
      .update(signInCodes)
      .set({ usedAt: sql`now()` })
      .where(and(eq(signInCodes.userId, actor.id), isNull(signInCodes.usedAt)));
    await audit(tx, { action: 'auth.logout', ...auditFor(actor), subjectUserId: actor.id, details: { scope: 'everywhere', sessions: ended.length } });
    return ended.length;
  });
}
