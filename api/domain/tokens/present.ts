// How a token is shown to clients (never its hash, sealed value or plaintext).
import type { Token, TokenStatus } from '../../../db/schema';
import { effectiveTokenStatus } from '../sql/tokens';

/** The status a client sees: an available token past its expiry is expired even before the sweep runs. */
export function presentToken(t: Token, now = new Date()) {
  const status: TokenStatus = effectiveTokenStatus(t, now);
  return {
    id: t.id,
    status,
    length: t.length,
    userId: t.userId,
    generatedBy: t.generatedBy,
    usedBy: t.usedBy,
    usedAt: t.usedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt.toISOString(),
    createdAt: t.createdAt.toISOString(),
    notes: t.notes,
  };
}
