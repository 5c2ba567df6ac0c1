// Listing: the admin's filtered keyset list and the holder's own tokens with their stock.
import { and, desc, eq, sql } from 'drizzle-orm';
import { tokens, type TokenStatus } from '../../../db/schema';
import { requireAdmin, type Actor, type Ctx } from '../context';
import { toPage, type Page } from '../pagination';
import { presentToken } from './present';
import { afterCursor } from '../sql/page';
import { tokenStatusIs, usableToken } from '../sql/tokens';

export interface TokenFilter {
  status?: TokenStatus | undefined;
  userId?: string | undefined;
}

const afterToken = (cursor: string) => afterCursor({ table: tokens, order: [tokens.createdAt, tokens.id], id: tokens.id }, cursor);

export async function listTokens(ctx: Ctx, actor: Actor, filter: TokenFilter, page: Page) {
  requireAdmin(actor);
  const rows = await ctx.db
    .select()
    .from(tokens)
    .where(
      and(
        filter.status ? tokenStatusIs(filter.status) : undefined,
        filter.userId ? eq(tokens.userId, filter.userId) : undefined,
        page.cursor ? afterToken(page.cursor) : undefined,
      ),
    )
    .orderBy(desc(tokens.createdAt), desc(tokens.id))
    .limit(page.limit + 1);
  const { items, nextCursor } = toPage(rows, page.limit);
  return { items: items.map((t) => presentToken(t)), nextCursor };
}

/** The caller's own tokens (no plaintext), newest first, with how many wait for a one-time reveal. */
export async function myTokens(ctx: Ctx, actor: Actor, limit = 200) {
  const rows = await ctx.db.select().from(tokens).where(eq(tokens.userId, actor.id)).orderBy(desc(tokens.createdAt), desc(tokens.id)).limit(limit);
  const now = new Date();
  const items = rows.map((t) => presentToken(t, now));
  const [counts] = await ctx.db
    .select({
      available: sql<number>`count(*) filter (where ${usableToken()})::int`,
      pendingReveal: sql<number>`count(*) filter (where ${tokens.sealed} is not null and ${tokens.status} = 'available')::int`,
    })
    .from(tokens)
    .where(eq(tokens.userId, actor.id));
  return { available: counts?.available ?? 0, pendingReveal: counts?.pendingReveal ?? 0, items };
}
