// Emergency access sessions (grants): the active one, ending it, listing, and the after-the-fact review.
import { and, desc, eq, gte, lte, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Executor } from '../../db/client';
import { grantReviews, grants, type Grant, type GrantReview } from '../../db/schema';
import { isAdmin, requireAdmin, type Actor, type Ctx } from './context';
import { audit, auditFor } from './audit';
import { fail } from './errors';
import { ReviewInput, parseInput } from './input';
import { publish } from './events';
import { enqueue } from './outbox';
import { toPage, uuidLike, type Page } from './pagination';
import { activeGrantOf } from './sql/grants';
import { afterCursor } from './sql/page';

export function presentGrant(g: Grant, review: GrantReview | null) {
  return {
    id: g.id,
    userId: g.userId,
    tokenId: g.tokenId,
    reason: g.reason,
    patientRef: g.patientRef,
    createdAt: g.createdAt.toISOString(),
    expiresAt: g.expiresAt.toISOString(),
    clearedAt: g.clearedAt?.toISOString() ?? null,
    review: review ? { verdict: review.verdict, reviewedBy: review.reviewedBy, reviewedAt: review.reviewedAt.toISOString(), note: review.note } : null,
  };
}
export type GrantView = ReturnType<typeof presentGrant>;

export async function activeGrant(ex: Executor, userId: string, opts: { lock?: boolean } = {}): Promise<Grant | undefined> {
  const query = ex.select().from(grants).where(activeGrantOf(userId)).orderBy(desc(grants.createdAt)).limit(1);
  const [g] = opts.lock ? await query.for('update') : await query;
  return g;
}

export async function myActiveGrant(ctx: Ctx, actor: Actor): Promise<GrantView | null> {
  const g = await activeGrant(ctx.db, actor.id);
  return g ? presentGrant(g, null) : null;
}

/** End my emergency session now (the seed's "clear"). Idempotent: no active session is not an error. */
export async function clearGrant(ctx: Ctx, actor: Actor): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const cleared = await tx
      .update(grants)
      .set({ clearedAt: sql`now()` })
      .where(activeGrantOf(actor.id))
      .returning({ id: grants.id });
    for (const g of cleared) await audit(tx, { action: 'grant.cleared', ...auditFor(actor), subjectUserId: actor.id, grantId: g.id });
  });
}

export interface GrantFilter {
  reviewed?: boolean | undefined;
  userId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function listGrants(ctx: Ctx, actor: Actor, filter: GrantFilter, page: Page) {
  // Staff see only their own grants, whatever they ask for.
  const userId = isAdmin(actor) ? filter.userId : actor.id;
  const rows = await ctx.db
    .select({ grant: grants, review: grantReviews })
    .from(grants)
    .leftJoin(grantReviews, eq(grantReviews.grantId, grants.id))
    .where(
      and(
        userId ? eq(grants.userId, userId) : undefined,
        filter.reviewed === true ? sql`${grants.reviewedAt} is not null` : filter.reviewed === false ? sql`${grants.reviewedAt} is null` : undefined,
        filter.from ? gte(grants.createdAt, filter.from) : undefined,
        filter.to ? lte(grants.createdAt, filter.to) : undefined,
        page.cursor ? afterCursor({ table: grants, order: [grants.createdAt, grants.id], id: grants.id }, page.cursor) : undefined,
      ),
    )
    .orderBy(desc(grants.createdAt), desc(grants.id))
    .limit(page.limit + 1);
  const page_ = toPage(
    rows.map((r) => ({ ...r, id: r.grant.id })),
    page.limit,
  );
  return { items: page_.items.map((r) => presentGrant(r.grant, r.review)), nextCursor: page_.nextCursor };
}

export async function getGrant(ex: Executor, id: string) {
  if (!uuidLike.test(id)) return undefined;
  const [row] = await ex
    .select({ grant: grants, review: grantReviews })
    .from(grants)
    .leftJoin(grantReviews, eq(grantReviews.grantId, grants.id))
    .where(eq(grants.id, id));
  return row;
}

/** Record the after-the-fact review once; never by the grant's own holder. A non-admin's try is audited. */
export async function reviewGrant(ctx: Ctx, actor: Actor, grantId: string, review: z.input<typeof ReviewInput>) {
  if (!uuidLike.test(grantId)) fail('not_found', 'No such emergency access.');
  if (!isAdmin(actor)) {
    const found = await getGrant(ctx.db, grantId);
    await audit(ctx.db, {
      action: 'grant.reviewed',
      outcome: 'failure',
      ...auditFor(actor),
      subjectUserId: found?.grant.userId ?? null,
      grantId: found?.grant.id ?? null,
      details: { code: 'forbidden', verdict: review.verdict },
    });
    requireAdmin(actor);
  }
  const input = parseInput(ReviewInput, review);
  return ctx.db.transaction(async (tx) => {
    const [grant] = await tx.select().from(grants).where(eq(grants.id, grantId));
    if (!grant) return fail('not_found', 'No such emergency access.');
    if (grant.userId === actor.id) return fail('self_review', 'You cannot review your own emergency access.');
    const [review] = await tx
      .insert(grantReviews)
      .values({ grantId, verdict: input.verdict, reviewedBy: actor.id, note: input.note ?? null })
      .onConflictDoNothing()
      .returning();
    if (!review) return fail('already_reviewed', 'This emergency access has already been reviewed.');
    await tx.update(grants).set({ reviewedAt: review.reviewedAt }).where(eq(grants.id, grantId));
    await audit(tx, {
      action: 'grant.reviewed',
      ...auditFor(actor),
      subjectUserId: grant.userId,
      grantId,
      tokenId: grant.tokenId,
      details: { verdict: input.verdict, note: input.note ?? null },
    });
    await publish(tx, { type: 'grant.reviewed', userId: grant.userId, grantId, verdict: input.verdict });
    await enqueue(ctx, tx, { kind: 'grant.reviewed', payload: { grantId } });
    return presentGrant(grant, review);
  });
}

/** Remember where the admin-channel notice for a grant lives (called by the bot's delivery). */
export async function setGrantMessage(tx: Executor, id: string, channel: string, ts: string): Promise<void> {
  await tx.update(grants).set({ slackChannel: channel, slackTs: ts }).where(eq(grants.id, id));
}
