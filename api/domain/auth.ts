// Signing in: passwords (with a per-username lockout), one-time codes from the Slack bot, and
// database sessions that survive restarts and can be revoked.
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { rows, type Tx } from '../../db/client';
import { sessions, signInCodes, users, type User } from '../../db/schema';
import type { Ctx } from './context';
import { audit } from './audit';
import { randomSecret, sha256, verifyPassword } from './crypto';
import { fail } from './errors';
import { lockedFor, loginKey, recordFailure, resetFailures, serializeAttempts } from './lockout';

export interface SignedIn {
  user: User;
  /** The cookie value; only its hash is stored. */
  sessionSecret: string;
  expiresAt: Date;
}

async function openSession(ctx: Ctx, tx: Tx, userId: string): Promise<{ secret: string; expiresAt: Date }> {
  const secret = randomSecret();
  const expiresAt = new Date(Date.now() + ctx.config.sessionHours * 3600_000);
  await tx.insert(sessions).values({ idHash: sha256(secret), userId, expiresAt });
  return { secret, expiresAt };
}

export async function login(ctx: Ctx, input: { username: string; password: string; ip?: string | null }): Promise<SignedIn> {
  const key = loginKey(input.username);
  // The whole attempt (lock check, password check, counting) runs serialised per username: parallel
  // guesses cannot exceed the limit. The password check is inside on purpose.
  const result = await ctx.db.transaction(async (tx) => {
    await serializeAttempts(tx, key);
    const retryAfter = await lockedFor(tx, key);
    if (retryAfter > 0) return { retryAfter };
    const [user] = await tx.select().from(users).where(sql`lower(${users.username}) = lower(${input.username.trim()})`);
    const ok = (await verifyPassword(input.password, user?.passwordHash ?? null)) && user?.active === true;
    if (!ok || !user) {
      const failure = await recordFailure(ctx, tx, key);
      await audit(tx, {
        action: 'auth.login',
        outcome: 'failure',
        actorId: user?.id ?? null,
        subjectUserId: user?.id ?? null,
        ip: input.ip ?? null,
        details: { username: input.username.slice(0, 100), method: 'password', attemptsLeft: failure.attemptsLeft },
      });
      if (failure.lockedUntil) {
        await audit(tx, { action: 'lockout', subjectUserId: user?.id ?? null, ip: input.ip ?? null, details: { scope: 'login', username: input.username.slice(0, 100), lockedUntil: failure.lockedUntil.toISOString() } });
      }
      return null;
    }
    await resetFailures(tx, key);
    const session = await openSession(ctx, tx, user.id);
    await audit(tx, { action: 'auth.login', actorId: user.id, subjectUserId: user.id, ip: input.ip ?? null, details: { method: 'password' } });
    return { user, session };
  });
  if (result && 'retryAfter' in result) return fail('too_many_attempts', 'Too many failed sign-ins for this username. Try again later.', { retryAfterSeconds: result.retryAfter });
  if (!result) return fail('invalid_credentials', 'Wrong username or password.');
  return { user: result.user, sessionSecret: result.session.secret, expiresAt: result.session.expiresAt };
}

/** A one-time sign-in code for the bot's `login` DM: 10 minutes, single use, stored as a hash. */
export async function createSignInCode(ctx: Ctx, userId: string): Promise<{ code: string; url: string; expiresAt: Date }> {
  const code = randomSecret(24);
  const expiresAt = new Date(Date.now() + 10 * 60_000);
  await ctx.db.insert(signInCodes).values({ codeHash: sha256(code), userId, expiresAt });
  return { code, url: `${ctx.config.publicUrl}/login?code=${encodeURIComponent(code)}`, expiresAt };
}

export async function redeemSignInCode(ctx: Ctx, input: { code: string; ip?: string | null }): Promise<SignedIn> {
  const result = await ctx.db.transaction(async (tx) => {
    // Single use is the UPDATE's condition: of two concurrent redemptions only one gets the row.
    const [used] = await tx
      .update(signInCodes)
      .set({ usedAt: sql`now()` })
      .where(and(eq(signInCodes.codeHash, sha256(input.code)), isNull(signInCodes.usedAt), gt(signInCodes.expiresAt, sql`now()`)))
      .returning();
    if (!used) return null;
    const [user] = await tx.select().from(users).where(and(eq(users.id, used.userId), eq(users.active, true)));
    if (!user) return null;
    const session = await openSession(ctx, tx, user.id);
    await audit(tx, { action: 'auth.login', actorId: user.id, subjectUserId: user.id, ip: input.ip ?? null, details: { method: 'slack-link' } });
    return { user, session };
  });
  if (!result) return fail('invalid_code', 'This sign-in link is invalid, used or expired. Ask the bot for a new one with /emergency-token login.');
  return { user: result.user, sessionSecret: result.session.secret, expiresAt: result.session.expiresAt };
}

/**
 * The signed-in user behind a session cookie, or null. Runs on every API request, so it is one plain
 * statement rather than a query built per call.
 */
export async function userForSession(ctx: Ctx, secret: string): Promise<User | null> {
  const [user] = await rows<User>(
    ctx.db,
    sql`select u.id, u.username, u.name, u.role, u.password_hash as "passwordHash", u.active, u.slack_user_id as "slackUserId",
               u.created_at as "createdAt", u.updated_at as "updatedAt"
        from sessions s join users u on u.id = s.user_id
        where s.id_hash = ${sha256(secret)} and s.revoked_at is null and s.expires_at > now() and u.active`,
  );
  if (!user) return null;
  // Both drivers return timestamptz as Date; normalise in case one hands back text.
  return { ...user, createdAt: new Date(user.createdAt), updatedAt: new Date(user.updatedAt) };
}

export async function logout(ctx: Ctx, secret: string, ip?: string | null): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [s] = await tx.update(sessions).set({ revokedAt: sql`now()` }).where(and(eq(sessions.idHash, sha256(secret)), isNull(sessions.revokedAt))).returning();
    if (s) await audit(tx, { action: 'auth.logout', actorId: s.userId, subjectUserId: s.userId, ip: ip ?? null });
  });
}
