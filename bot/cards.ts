// Reads that turn domain rows into what the Block Kit builders draw: a request with its requester,
// decider and stock; a grant with its holder and review. Reads only; every change goes through the domain.
import type { Executor } from '../db/client';
import type { TokenRequest } from '../db/schema';
import { getGrant } from '../api/domain/grants';
import { effectiveRequestStatus, getRequest } from '../api/domain/requests';
import { availableCount } from '../api/domain/stock';
import { getUser } from '../api/domain/users';
import type { GrantCard } from './blocks/grants';
import type { RequestCard } from './blocks/requests';
import type { Person } from './blocks/text';

async function person(ex: Executor, id: string | null): Promise<Person | null> {
  if (!id) return null;
  const u = await getUser(ex, id);
  return u ? { name: u.name, slackUserId: u.slackUserId } : { name: 'a deleted user' };
}

export async function requestCard(ex: Executor, requestOrId: string | TokenRequest): Promise<(RequestCard & { row: TokenRequest }) | undefined> {
  const r = typeof requestOrId === 'string' ? await getRequest(ex, requestOrId) : requestOrId;
  if (!r) return undefined;
  return {
    row: r,
    id: r.id,
    quantity: r.quantity,
    reason: r.reason,
    status: effectiveRequestStatus(r),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    decidedAt: r.decidedAt,
    decisionNote: r.decisionNote,
    requester: (await person(ex, r.userId)) ?? { name: 'unknown' },
    decider: await person(ex, r.decidedBy),
    stock: await availableCount(ex, r.userId),
  };
}

export async function grantCard(
  ex: Executor,
  grantId: string,
): Promise<(GrantCard & { slackChannel: string | null; slackTs: string | null; userId: string }) | undefined> {
  const row = await getGrant(ex, grantId);
  if (!row) return undefined;
  const { grant: g, review } = row;
  return {
    id: g.id,
    userId: g.userId,
    holder: (await person(ex, g.userId)) ?? { name: 'unknown' },
    reason: g.reason,
    patientRef: g.patientRef,
    createdAt: g.createdAt,
    expiresAt: g.expiresAt,
    slackChannel: g.slackChannel,
    slackTs: g.slackTs,
    review: review ? { verdict: review.verdict, reviewer: await person(ex, review.reviewedBy), reviewedAt: review.reviewedAt, note: review.note } : null,
  };
}
