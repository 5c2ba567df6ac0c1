// Token requests: created by staff, decided once by an admin other than the requester (approval issues
// the tokens in the same transaction), or expired when nobody decides in time.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Executor, Tx } from '../../db/client';
import { tokenRequests, type RequestStatus, type TokenRequest } from '../../db/schema';
import { isAdmin, requireAdmin, slackEnabled, type Actor, type Ctx } from './context';
import { audit, auditFor } from './audit';
import { DomainError, fail } from './errors';
import { ApproveInput, NewRequestInput, RejectInput, parseInput } from './input';
import { publish } from './events';
import { enqueue } from './outbox';
import { toPage, uuidLike, type Page } from './pagination';
import { checkStock } from './stock';
import { DEFAULT_TOKEN_LENGTH, issueTokens } from './tokens';
import { afterCursor } from './sql/page';
import { effectiveRequestStatus, openRequest, overdueRequest, requestStatusIs } from './sql/requests';

export { effectiveRequestStatus };

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
    await audit(tx, {
      action: 'request.created',
      ...auditFor(actor),
      subjectUserId: actor.id,
      requestId: r.id,
      details: { quantity: r.quantity, reason: r.reason },
    });
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
    .where(and(eq(tokenRequests.id, id), openRequest(), sql`${tokenRequests.userId} <> ${actor.id}`))
    .returning();
  if (decided) return decided;
  const current = await getRequest(tx, id);
  if (!current) return fail('not_found', 'No such request.');
  if (current.userId === actor.id) return fail('self_approval', 'You cannot decide your own request; another admin must.');
  if (current.status === 'pending') return fail('already_decided', 'This request has expired and can no longer be decided.', { status: 'expired' });
  return fail('already_decided', `This request was already ${current.status}.`, {
    status: current.status,
    decidedBy: current.decidedBy,
    decidedAt: current.decidedAt?.toISOString() ?? null,
  });
}

/**
 * A refused decision (a non-admin, or an admin deciding their own request) is itself audited and told in
 * the request's decision thread: break-the-glass systems want to know who tried.
 */
async function recordRefusal(ctx: Ctx, actor: Actor, id: string, action: 'request.approved' | 'request.rejected', code: 'forbidden' | 'self_approval') {
  await ctx.db.transaction(async (tx) => {
    const request = await getRequest(tx, id);
    await audit(tx, {
      action,
      outcome: 'failure',
      ...auditFor(actor),
      subjectUserId: request?.userId ?? null,
      requestId: request?.id ?? null,
      details: { code },
    });
    if (request)
      await enqueue(ctx, tx, {
        kind: 'request.thread',
        payload: { requestId: request.id, event: 'refused', actorId: actor.id, code, note: action === 'request.approved' ? 'approve' : 'reject' },
      });
  });
}

/**
 * Only admins decide. Clients that ask for more input before deciding (the bot's reject modal) call it up
 * front; a refusal is recorded (recordRefusal) before it is thrown.
 */
export async function requireDecider(ctx: Ctx, actor: Actor, id: string, action: 'request.approved' | 'request.rejected') {
  if (isAdmin(actor)) return;
  await recordRefusal(ctx, actor, id, action, 'forbidden');
  requireAdmin(actor);
}

/** Runs a decision; an admin's try on their own request is recorded as a refusal before it is thrown. */
async function deciding<T>(ctx: Ctx, actor: Actor, id: string, action: 'request.approved' | 'request.rejected', run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DomainError && err.code === 'self_approval') await recordRefusal(ctx, actor, id, action, 'self_approval');
    throw err;
  }
}

/** What follows a decision or an expiry: the channel message redrawn, a line in its thread, the requester told. */
async function announceOutcome(ctx: Ctx, tx: Tx, request: TokenRequest, event: 'approved' | 'rejected' | 'expired', actor: Actor | null) {
  await enqueue(ctx, tx, { kind: 'request.updated', payload: { requestId: request.id } });
  await enqueue(ctx, tx, { kind: 'request.thread', payload: { requestId: request.id, event, actorId: actor?.id ?? null, note: request.decisionNote } });
  await enqueue(ctx, tx, { kind: 'request.notify', payload: { requestId: request.id, userId: request.userId } });
}

export async function approveRequest(ctx: Ctx, actor: Actor, id: string, input: z.input<typeof ApproveInput> = {}) {
  await requireDecider(ctx, actor, id, 'request.approved');
  const { note } = parseInput(ApproveInput, input);
  return deciding(ctx, actor, id, 'request.approved', () =>
    ctx.db.transaction(async (tx) => {
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
      await audit(tx, {
        action: 'request.approved',
        ...auditFor(actor),
        subjectUserId: request.userId,
        requestId: request.id,
        details: { quantity: request.quantity, issued: issued.length, note: request.decisionNote },
      });
      await audit(tx, {
        action: 'token.generated',
        ...auditFor(actor),
        subjectUserId: request.userId,
        requestId: request.id,
        details: { count: issued.length, length: DEFAULT_TOKEN_LENGTH },
      });
      await publish(tx, { type: 'request.decided', userId: request.userId, requestId: request.id, status: 'approved' });
      await publish(tx, { type: 'token.generated', userId: request.userId, count: issued.length });
      // The outcome DM carries the new tokens (request.notify); stock rose, so no low-stock alert.
      await announceOutcome(ctx, tx, request, 'approved', actor);
      await checkStock(ctx, tx, request.userId, 'rose');
      return { request: presentRequest(request), issued: issued.length };
    }),
  );
}

export async function rejectRequest(ctx: Ctx, actor: Actor, id: string, input: z.input<typeof RejectInput>) {
  await requireDecider(ctx, actor, id, 'request.rejected');
  const { reason } = parseInput(RejectInput, input, 'A reason of 3 to 500 characters is required.');
  return deciding(ctx, actor, id, 'request.rejected', () =>
    ctx.db.transaction(async (tx) => {
      const request = await decide(tx, actor, id, 'rejected', reason);
      await audit(tx, { action: 'request.rejected', ...auditFor(actor), subjectUserId: request.userId, requestId: request.id, details: { reason } });
      await publish(tx, { type: 'request.decided', userId: request.userId, requestId: request.id, status: 'rejected' });
      await announceOutcome(ctx, tx, request, 'rejected', actor);
      return { request: presentRequest(request) };
    }),
  );
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
        filter.status ? requestStatusIs(filter.status) : undefined,
        userId ? eq(tokenRequests.userId, userId) : undefined,
        page.cursor ? afterCursor({ table: tokenRequests, order: [tokenRequests.createdAt, tokenRequests.id], id: tokenRequests.id }, page.cursor) : undefined,
      ),
    )
    .orderBy(desc(tokenRequests.createdAt), desc(tokenRequests.id))
    .limit(page.limit + 1);
  const { items, nextCursor } = toPage(rows, page.limit);
  const now = new Date();
  return { items: items.map((r) => presentRequest(r, now)), nextCursor };
}

/**
 * Pending requests past their expiry become expired: the channel message says so, its thread too, and
 * the requester is told. At most `limit` per call (the sweep calls it every minute).
 */
export async function expireRequests(ctx: Ctx, tx: Tx, limit: number): Promise<number> {
  const expired = await tx
    .update(tokenRequests)
    .set({ status: 'expired' })
    .where(sql`${tokenRequests.id} in (select id from ${tokenRequests} where ${overdueRequest()} limit ${limit} for update skip locked)`)
    .returning();
  for (const r of expired) {
    await audit(tx, { action: 'request.expired', subjectUserId: r.userId, requestId: r.id });
    await publish(tx, { type: 'request.decided', userId: r.userId, requestId: r.id, status: 'expired' });
    await announceOutcome(ctx, tx, r, 'expired', null);
  }
  return expired.length;
}

/**
 * Nudges in the decision thread of requests nobody has decided: a reminder as each configured age
 * passes (REQUEST_REMINDER_HOURS; several passed at once, e.g. after downtime, make one reminder), and a
 * last call REQUEST_LAST_CALL_MINUTES before expiry (after which no more reminders). Each is counted on
 * the request in the same statement, so two sweepers never both post it.
 */
export async function remindPendingRequests(ctx: Ctx, tx: Tx): Promise<{ reminders: number; lastCalls: number }> {
  if (!slackEnabled(ctx)) return { reminders: 0, lastCalls: 0 };
  let lastCalls: TokenRequest[] = [];
  if (ctx.config.requestLastCallMinutes > 0) {
    lastCalls = await tx
      .update(tokenRequests)
      .set({ lastCallSent: true })
      .where(
        sql`${tokenRequests.id} in (select id from token_requests
              where status = 'pending' and not last_call_sent and expires_at > now()
                and expires_at <= now() + make_interval(mins => ${ctx.config.requestLastCallMinutes})
              for update skip locked)`,
      )
      .returning();
    for (const r of lastCalls) await enqueue(ctx, tx, { kind: 'request.thread', payload: { requestId: r.id, event: 'last_call' } });
  }
  let reminded: TokenRequest[] = [];
  const hours = ctx.config.requestReminderHours;
  if (hours.length > 0) {
    const ages = sql`array[${sql.join(
      hours.map((h) => sql`${h}::float8`),
      sql`, `,
    )}]`;
    reminded = await tx
      .update(tokenRequests)
      .set({ remindersSent: sql`(select count(*)::int from unnest(${ages}) h where ${tokenRequests.createdAt} + make_interval(secs => h * 3600) <= now())` })
      .where(
        sql`${tokenRequests.id} in (select id from token_requests
              where status = 'pending' and not last_call_sent and expires_at > now()
                and reminders_sent < (select count(*) from unnest(${ages}) h where created_at + make_interval(secs => h * 3600) <= now())
              for update skip locked)`,
      )
      .returning();
    for (const r of reminded) await enqueue(ctx, tx, { kind: 'request.thread', payload: { requestId: r.id, event: 'reminder' } });
  }
  return { reminders: reminded.length, lastCalls: lastCalls.length };
}

/** Remember where the admin-channel message for a request lives (called by the bot's delivery). */
export async function setRequestMessage(tx: Executor, id: string, channel: string, ts: string): Promise<void> {
  await tx.update(tokenRequests).set({ slackChannel: channel, slackTs: ts }).where(eq(tokenRequests.id, id));
}
