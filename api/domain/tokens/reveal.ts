// Sealed delivery: the plaintext of assigned tokens handed to their holder once, by Slack (held for one
// delivery attempt, put back when its outcome is unknown) or by the PWA's one-time reveal.
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { rows, type Executor, type Tx } from '../../../db/client';
import { tokens } from '../../../db/schema';
import type { Actor, Ctx } from '../context';
import { tokenSecrets, unseal } from '../crypto';

/** Sealed tokens taken out of their rows for one delivery attempt; kept (still sealed) by the outbox row. */
export interface HeldTokens {
  tokens: Array<{ id: string; sealed: string; expiresAt: string }>;
}

/**
 * Takes the sealed plaintext of the holder's tokens (those of one request, or those assigned outside any
 * request) out of the token rows, for one delivery attempt: from then on the one-time reveal no longer
 * offers them, and no other delivery can take them. The caller keeps what it holds (still sealed) until
 * it knows the outcome: delivered (drop it) or not, or not known (put it back with releaseHeldTokens, so
 * the holder can reveal them once in the app).
 */
export async function holdSealedTokens(tx: Tx, userId: string, from: { requestId: string } | 'assigned'): Promise<HeldTokens> {
  const scope = from === 'assigned' ? sql`request_id is null` : sql`request_id = ${from.requestId}`;
  const taken = await rows<{ id: string; sealed: string; expires_at: Date | string }>(
    tx,
    sql`update tokens t set sealed = null
        from (select id, sealed from tokens where user_id = ${userId} and sealed is not null and status = 'available' and ${scope} for update) s
        where t.id = s.id
        returning t.id, s.sealed, t.expires_at`,
  );
  return {
    tokens: taken
      .map((t) => ({ id: t.id, sealed: t.sealed, expiresAt: new Date(t.expires_at).toISOString() }))
      .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.id.localeCompare(b.id)),
  };
}

/** Puts held tokens back (those still available), so their holder can reveal them once in the app. */
export async function releaseHeldTokens(tx: Tx, held: HeldTokens): Promise<void> {
  if (held.tokens.length === 0) return;
  const items = held.tokens.map((t) => ({ id: t.id, s: t.sealed }));
  await tx.execute(
    sql`update tokens t set sealed = h.s
        from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as h(id uuid, s text)
        where t.id = h.id and t.status = 'available' and t.sealed is null`,
  );
}

/** The plaintext of held tokens, for the message that carries them (never stored or logged). */
export function unsealHeld(ctx: Ctx, held: HeldTokens): string[] {
  return held.tokens.map((t) => unseal(ctx.config.secret, t.sealed));
}

/**
 * Hand over, once, the plaintext of the holder's newly assigned tokens and forget it: the PWA's one-time
 * reveal. (Slack delivery holds them first, see holdSealedTokens.)
 */
export async function takeSealedTokens(ctx: Ctx, tx: Executor, userId: string): Promise<Array<{ id: string; token: string; expiresAt: string }>> {
  // The row lock makes the hand-over happen once even when Slack delivery and a reveal race.
  const sealedRows = await tx
    .select({ id: tokens.id, sealed: tokens.sealed, expiresAt: tokens.expiresAt })
    .from(tokens)
    .where(and(eq(tokens.userId, userId), isNotNull(tokens.sealed), eq(tokens.status, 'available')))
    .orderBy(tokens.createdAt, tokens.id)
    .for('update');
  if (sealedRows.length === 0) return [];
  await tx
    .update(tokens)
    .set({ sealed: null })
    .where(
      inArray(
        tokens.id,
        sealedRows.map((t) => t.id),
      ),
    );
  return sealedRows.map((t) => ({ id: t.id, token: unseal(tokenSecrets(ctx.config), t.sealed!), expiresAt: t.expiresAt.toISOString() }));
}

export async function revealMyTokens(ctx: Ctx, actor: Actor) {
  return ctx.db.transaction(async (tx) => takeSealedTokens(ctx, tx, actor.id));
}
