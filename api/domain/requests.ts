// Token requests: created by staff, decided once by an admin other than the requester (approval issues
// the tokens in the same transaction), or expired when nobody decides in time.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Executor, Tx } from '../../db/client';
import { tokenRequests, type RequestStatus, type TokenRequest } from '../../db/schema';
import { isAdmin, requireAdmin, type Actor, type Ctx } from './context';
import { audit, auditFor } from './audit';
import { fail } from './errors';
import { ApproveInput, NewRequestInput, RejectInput, parseInput } from './input';
import { publish } from './events';
import { enqueue } from './outbox';
import { toPage, uuidLike, type Page } from './pagination';
import { checkStock } from './stock';
import { DEFAULT_TOKEN_LENGTH, issueTokens } from './tokens';

/** The status everyone sees: a pending request past its expiry is expired even before the sweep marks it. */
export function effectiveRequestStatus(r: Pick<TokenRequest, 'status' | 'expiresAt'>, now = new Date()): RequestStatus {
  return r.status === 'pending' && r.expiresAt <= now ? 'expired' : r.status;
}

export function presentRequest(r: TokenRequest, now = new Date()) {
  return {
    id: r.id,
    userId: r.userId,
    quantity: r.quantity,
    reason: r.reason,
    status: effectiveRequestStatus(r, now),
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionNote: r.decisionNote,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
  };
}

export async function getRequest(ex: Executor, id: string): Promise<TokenRequest | undefined> {
  if (!uuidLike.test(id)) return undefined;
  const [r] = await ex.select().from(tokenRequests).where(eq(tokenRequests.id, id));
  return r;
}

export async function createRequest(ctx: Ctx, actor: Actor, requested: z.input<typeof NewRequestInput>) {
  const input = parseInput(NewRequestInput, requested);
  if (input.quantity > ctx.config.maxRequestQuantity) {
    fail('invalid_input', `quantity must be a whole number from 1 to ${ctx.config.maxRequestQuantity}.`, { quantity: `1..${ctx.config.maxRequestQuantity}` });
  }
  return ctx.db.transaction(async (tx) => {
    const [request] = await tx
      .insert(tokenRequests)
      .values({
        userId: actor.id,
        quantity: input.quantity,
        reason: input.reason ?? null,
        expiresAt: sql`now() + make_interval(hours => ${ctx.config.requestTtlHours})`,
      })
      .returning();
    const r = request!;
    await audit(tx, { action: 'request.created', ...auditFor(actor), subjectUserId: actor.id, requestId: r.id, details: { quantity: r.quantity, reason: r.reason } });
    await publish(tx, { type: 'request.created', userId: actor.id, requestId: r.id });
    await enqueue(ctx, tx, { kind: 'request.created', payload: { requestId: r.id } });
    return presentRequest(r);
  });
}

/**
 * Move a pending request to its decision. The conditional UPDATE is what makes a request decided once:
 * of two admins deciding at the same moment only one gets the row back; the other learns why not.
 */
async function decide(tx: Tx, actor: Actor, id: string, status: 'approved' | 'rejected', note: string | null): Promise<TokenRequest> {
  const [decided] = await tx
    .update(tokenRequests)
    .set({ status, decidedBy: actor.id, decidedAt: sql`now()`, decisionNote: note })
    .where(and(eq(tokenRequests.id, id), eq(tokenRequests.status, 'pending'), sql`${tokenRequests.expiresAt} > now()`, sql`${tokenRequests.userId} <> ${actor.id}`))
    .returning();
  if (decided) return decided;
  const current = await getRequest(tx, id);
  if (!current) return fail('not_found', 'No such request.');
  if (current.userId === actor.id) return fail('self_approval', 'You cannot decide your own request; another admin must.');
  if (current.status === 'pending') return fail('already_decided', 'This request has expired and can no longer be decided.', { status: 'expired' });
  return fail('already_decided', `This request was already ${current.status}.`, { status: current.status, decidedBy: current.decidedBy, decidedAt: current.decidedAt?.toISOString() ?? null });
}

/**
 * A refused decision by someone who may not decide (a non-admin) is itself audited: break-the-glass
 * systems want to know who tried. Clients that ask for more input before deciding (the bot's reject
 * modal) call it up front.
 */
export async function requireDecider(ctx: Ctx, actor: Actor, id: string, action: 'request.approved' | 'request.rejected') {
  if (isAdmin(actor)) return;
  const request = await getRequest(ctx.db, id);
  await audit(ctx.db, { action, outcome: 'failure', ...auditFor(actor), subjectUserId: request?.userId ?? null, requestId: request?.id ?? null, details: { code: 'forbidden' } });
  requireAdmin(actor);
}

export async function approveRequest(ctx: Ctx, actor: Actor, id: string, input: z.input<typeof ApproveInput> = {}) {
  await requireDecider(ctx, actor, id, 'request.approved');
  const { note } = parseInput(ApproveInput, input);
  return ctx.db.transaction(async (tx) => {
    const request = await decide(tx, actor, id, 'approved', note ?? null);
    const issued = await issueTokens(ctx, tx, {
      count: request.quantity,
      length: DEFAULT_TOKEN_LENGTH,
      userId: request.userId,
      generatedBy: actor.id,
      requestId: request.id,
      notes: `request ${request.id}`,
      expiresAt: new Date(Date.now() + ctx.config.tokenTtlDays * 86_400_000),
    });
    await audit(tx, { action: 'request.approved', ...auditFor(actor), subjectUserId: request.userId, requestId: request.id, details: { quantity: request.quantity, issued: issued.length, note: request.decisionNote } });
    await audit(tx, { action: 'token.generated', ...auditFor(actor), subjectUserId: request.userId, requestId: request.id, details: { count: issued.length, length: DEFAULT_TOKEN_LENGTH } });
    await publish(tx, { type: 'request.decided', userId: request.userId, requestId: request.id, status: 'approved' });
    await publish(tx, { type: 'token.generated', userId: request.userId, count: issued.length });
    await enqueue(ctx, tx, { kind: 'request.decided', payload: { requestId: request.id } });
    await enqueue(ctx, tx, { kind: 'tokens.deliver', payload: { userId: request.userId } });
    await checkStock(ctx, tx, request.userId);
    return { request: presentRequest(request), issued: issued.length };
  });
}

export async function rejectRequest(ctx: Ctx, actor: Actor, id: string, input: z.input<typeof RejectInput>) {
  await requireDecider(ctx, actor, id, 'request.rejected');
  const { reason } = parseInput(RejectInput, input, 'A reason of 3 to 500 characters is required.');
  return ctx.db.transaction(async (tx) => {
    const request = await decide(tx, actor, id, 'rejected', reason);
    await audit(tx, { action: 'request.rejected', ...auditFor(actor), subjectUserId: request.userId, requestId: request.id, details: { reason } });
    await publish(tx, { type: 'request.decided', userId: request.userId, requestId: request.id, status: 'rejected' });
    await enqueue(ctx, tx, { kind: 'request.decided', payload: { requestId: request.id } });
    return { request: presentRequest(request) };
  });
}

export interface RequestFilter {
  status?: RequestStatus | undefined;
  userId?: string | undefined;
}

export async function listRequests(ctx: Ctx, actor: Actor, filter: RequestFilter, page: Page) {
  const userId = isAdmin(actor) ? filter.userId : actor.id;
  const rows = await ctx.db
    .select()
    .from(tokenRequests)
    .where(
      and(
        filter.status === 'pending'
          ? sql`${tokenRequests.status} = 'pending' and ${tokenRequests.expiresAt} > now()`
          : filter.status === 'expired'
            ? sql`(${tokenRequests.status} = 'expired' or (${tokenRequests.status} = 'pending' and ${tokenRequests.expiresAt} <= now()))`
            : filter.status
              ? eq(tokenRequests.status, filter.status)
              : undefined,
        userId ? eq(tokenRequests.userId, userId) : undefined,
        page.cursor ? sql`(${tokenRequests.createdAt}, ${tokenRequests.id}) < (select r2.created_at, r2.id from ${tokenRequests} r2 where r2.id::text = ${page.cursor})` : undefined,
      ),
    )
    .orderBy(desc(tokenRequests.createdAt), desc(tokenRequests.id))
    .limit(page.limit + 1);
  const { items, nextCursor } = toPage(rows, page.limit);
  const now = new Date();
  return { items: items.map((r) => presentRequest(r, now)), nextCursor };
}

/** Remember where the admin-channel message for a request lives (called by the bot's delivery). */
export async function setRequestMessage(tx: Executor, id: string, channel: string, ts: string): Promise<void> {
  await tx.update(tokenRequests).set({ slackChannel: channel, slackTs: ts }).where(eq(tokenRequests.id, id));
}
