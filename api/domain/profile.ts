// Read models about one person: "me" for the signed-in user, and the admin's user profile page.
import { desc, eq, sql } from 'drizzle-orm';
import { tokenRequests, tokens, type SignedInUser } from '../../db/schema';
import { isAdmin, type Actor, type Ctx } from './context';
import { audit, auditFor, recentActivity } from './audit';
import { fail } from './errors';
import { myActiveGrant } from './grants';
import { presentRequest } from './requests';
import { availableCount } from './stock';
import { getUser, presentUser } from './users';
import { lockedFor, validationKey } from './lockout';
import { getSettings } from './settings';
import { tokenStatusIs } from './sql/tokens';

/**
 * Who I am, my stock, my active grant, and what the app needs at the hardest moments: whether I am locked
 * out of validation (so a reload shows the lock, not the form) and the ward's settings for that screen
 * and for the idle lock.
 */
export async function me(ctx: Ctx, user: SignedInUser) {
  const actor = { id: user.id, role: user.role };
  const [available, grant, lockSeconds, settings] = await Promise.all([
    availableCount(ctx.db, user.id),
    myActiveGrant(ctx, actor),
    lockedFor(ctx.db, validationKey(user.id)),
    getSettings(ctx.db),
  ]);
  return {
    user: { id: user.id, username: user.username, name: user.name, role: user.role, slackUserId: user.slackUserId, locale: user.locale },
    tokens: { available },
    grant,
    lowTokenThreshold: ctx.config.lowTokenThreshold,
    validationLock: lockSeconds > 0 ? { retryAfterSeconds: lockSeconds, lockedUntil: new Date(Date.now() + lockSeconds * 1000).toISOString() } : null,
    ward: { escalationText: settings.escalationText, idleLockMinutes: settings.idleLockMinutes },
  };
}

/**
 * A user's profile page. An admin looking at someone else's is a read of that person's activity and is
 * audited (in the read's transaction); looking at one's own is not.
 */
export async function userProfile(ctx: Ctx, actor: Actor, userId: string) {
  if (!isAdmin(actor) && actor.id !== userId) fail('forbidden', 'You may only see your own profile.');
  const profile = await ctx.db.transaction(async (tx) => {
    const user = await getUser(tx, userId);
    if (!user) return null;
    const [counts] = await tx
      .select({
        available: sql<number>`count(*) filter (where ${tokenStatusIs('available')})::int`,
        used: sql<number>`count(*) filter (where ${tokenStatusIs('used')})::int`,
        expired: sql<number>`count(*) filter (where ${tokenStatusIs('expired')})::int`,
        revoked: sql<number>`count(*) filter (where ${tokenStatusIs('revoked')})::int`,
      })
      .from(tokens)
      .where(eq(tokens.userId, userId));
    const requests = await tx.select().from(tokenRequests).where(eq(tokenRequests.userId, userId)).orderBy(desc(tokenRequests.createdAt)).limit(20);
    const activity = await recentActivity(tx, 20, userId);
    if (actor.id !== userId) await audit(tx, { action: 'user.viewed', ...auditFor(actor), subjectUserId: userId, details: { basis: 'admin' } });
    return {
      user: presentUser(user),
      tokens: counts ?? { available: 0, used: 0, expired: 0, revoked: 0 },
      requests: requests.map((r) => presentRequest(r)),
      recentActivity: activity,
    };
  });
  return profile ?? fail('not_found', 'No such user.');
}
