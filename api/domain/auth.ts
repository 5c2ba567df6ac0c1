// Signing in: passwords (with sign-in throttling that cannot lock a user out), one-time codes from the Slack bot, and
// database sessions that survive restarts and can be revoked.
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { param, Statement } from '../../db/statement';
import { sessions, signInCodes, users, type Role, type SignedInUser, type User } from '../../db/schema';
import type { Ctx } from './context';
import { audit } from './audit';
import { randomSecret, sha256, verifyPassword } from './crypto';
import { fail } from './errors';
import { publish } from './events';
import { enqueue } from './outbox';
import { confirmFailure, lockedFor, recordFailure, releaseAttempt, reserveAttempt } from './lockout';
import { toStorableText } from './text';
import type { z } from 'zod';
import { LoginInput, parseInput } from './input';

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

/**
 * How sign-in attempts are limited. One client guessing one account: LOCKOUT_ATTEMPTS failures within
 * LOCKOUT_MINUTES lock that (username, address) pair only, so an anonymous client cannot lock the real
 * user out. Across all addresses, LOGIN_CEILING failures for one username (or from one address, for any
 * usernames) lock that username (or address) for everyone and alert the admins: reaching it takes many
 * addresses (or many accounts), i.e. an attack, which should stop.
 */
export function loginRules(ctx: Ctx, username: string, ip: string | null) {
  const { attempts, minutes, loginCeiling } = ctx.config.lockout;
  const name = username.trim().toLowerCase();
  return {
    pair: { key: `login:${name}|${ip ?? '-'}`, limit: attempts, minutes },
    user: { key: `login-user:${name}`, limit: loginCeiling, minutes },
    // Without a client address (in-process calls) there is no address to limit.
    address: ip ? { key: `login-ip:${ip}`, limit: loginCeiling, minutes } : null,
  };
}

/**
 * Password sign-in. The password check (scrypt, tens of milliseconds of CPU) runs with no database
 * connection or lock held and behind a small concurrency limit (crypto.ts), so a flood of sign-ins cannot
 * starve bedside validation: check the limits and reserve the attempt (one statement each), read the
 * account, release everything, hash, then record the outcome in one short transaction.
 */
export async function login(ctx: Ctx, requested: z.input<typeof LoginInput> & { ip?: string | null }): Promise<SignedIn> {
  const input = parseInput(LoginInput, requested);
  const ip = requested.ip ?? null;
  // Whatever was typed is recorded, made storable: a refused character must not hide the attempt.
  const username = toStorableText(input.username).slice(0, 100);
  const rules = loginRules(ctx, username, ip);
  const refused = async (retryAfterSeconds: number) => {
    await audit(ctx.db, { action: 'auth.login', outcome: 'failure', ip, details: { username, method: 'password', code: 'too_many_attempts' } });
    return fail('too_many_attempts', 'Too many failed sign-ins. Try again later.', { retryAfterSeconds });
  };

  const wide = Math.max(await lockedFor(ctx.db, rules.user.key), rules.address ? await lockedFor(ctx.db, rules.address.key) : 0);
  if (wide > 0) return refused(wide);
  const reserved = await reserveAttempt(ctx.db, rules.pair);
  if ('retryAfterSeconds' in reserved) return refused(reserved.retryAfterSeconds);

  let user: User | undefined;
  let ok: boolean;
  try {
    [user] = await ctx.db
      .select()
      .from(users)
      .where(sql`lower(${users.username}) = lower(${username.trim()})`);
    ok = (await verifyPassword(input.password, user?.passwordHash ?? null)) && user?.active === true;
  } catch (err) {
    // No outcome (database or limiter unavailable): the attempt was not a failure.
    await releaseAttempt(ctx.db, rules.pair.key, reserved.reservation).catch(() => {});
    throw err;
  }

  if (!ok || !user) {
    await ctx.db.transaction(async (tx) => {
      const pair = await confirmFailure(tx, rules.pair);
      const wideLocks = [];
      for (const [scope, rule] of [
        ['username', rules.user],
        ['address', rules.address],
      ] as const) {
        if (!rule) continue;
        const outcome = await recordFailure(ctx, tx, rule.key, rule);
        if (outcome.lockedUntil) wideLocks.push({ scope, lockedUntil: outcome.lockedUntil.toISOString(), failures: outcome.failures });
      }
      await audit(tx, {
        action: 'auth.login',
        outcome: 'failure',
        actorId: user?.id ?? null,
        subjectUserId: user?.id ?? null,
        ip,
        details: { username, method: 'password', attemptsLeft: pair.attemptsLeft },
      });
      if (pair.lockedUntil) {
        const lockedUntil = pair.lockedUntil.toISOString();
        await audit(tx, {
          action: 'lockout',
          subjectUserId: user?.id ?? null,
          ip,
          details: { scope: 'login', by: 'username and address', username, lockedUntil },
        });
        // An account's own lock (someone at one address kept getting its password wrong) is worth a word
        // to the admins, like a validation lockout; a pair lock on a name no account has is not.
        if (user)
          await enqueue(ctx, tx, {
            kind: 'lockout',
            payload: { scope: 'login', by: 'username and address', username, userId: user.id, ip, lockedUntil, failures: rules.pair.limit },
          });
      }
      // A ceiling reached is an attack on the account (or from the address): the admins are told.
      for (const lock of wideLocks) {
        await audit(tx, {
          action: 'lockout',
          subjectUserId: user?.id ?? null,
          ip,
          details: { scope: 'login', by: lock.scope, username, lockedUntil: lock.lockedUntil, failures: lock.failures },
        });
        await publish(tx, { type: 'lockout', scope: 'login', by: lock.scope, userId: user?.id ?? null, username, lockedUntil: lock.lockedUntil });
        await enqueue(ctx, tx, {
          kind: 'lockout',
          payload: { scope: 'login', by: lock.scope, username, userId: user?.id ?? null, ip, lockedUntil: lock.lockedUntil, failures: lock.failures },
        });
      }
    });
    return fail('invalid_credentials', 'Wrong username or password.');
  }
  const session = await ctx.db.transaction(async (tx) => {
    await releaseAttempt(tx, rules.pair.key, reserved.reservation);
    const opened = await openSession(ctx, tx, user.id);
    await audit(tx, { action: 'auth.login', actorId: user.id, subjectUserId: user.id, ip, details: { method: 'password' } });
    return opened;
  });
  return { user, sessionSecret: session.secret, expiresAt: session.expiresAt };
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
    const [user] = await tx
      .select()
      .from(users)
      .where(and(eq(users.id, used.userId), eq(users.active, true)));
    if (!user) return null;
    const session = await openSession(ctx, tx, user.id);
    await audit(tx, { action: 'auth.login', actorId: user.id, subjectUserId: user.id, ip: input.ip ?? null, details: { method: 'slack-link' } });
    return { user, session };
  });
  if (!result) return fail('invalid_code', 'This sign-in link is invalid, used or expired. Ask the bot for a new one with /emergency-token login.');
  return { user: result.user, sessionSecret: result.session.secret, expiresAt: result.session.expiresAt };
}

// Every authenticated request runs it: rendered once (db/statement.ts).
const sessionUser = new Statement(
  'session_user',
  sql`select u.id, u.username, u.name, u.role, u.active, u.slack_user_id as "slackUserId",
             u.slack_provisioned as "slackProvisioned", u.locale, u.created_at as "createdAt", u.updated_at as "updatedAt"
      from sessions s join users u on u.id = s.user_id
      where s.id_hash = ${param('idHash')} and s.revoked_at is null and s.expires_at > now() and u.active`,
);

/**
 * The signed-in user behind a session cookie, or null. Runs on every API request: one statement,
 * rendered once and prepared per connection.
 */
export async function userForSession(ctx: Pick<Ctx, 'database'>, secret: string): Promise<SignedInUser | null> {
  const [user] = await ctx.database.prepared<SignedInUser>(sessionUser.with({ idHash: sessionId(secret) }));
  if (!user) return null;
  // Both drivers return timestamptz as Date; normalise in case one hands back text.
  return { ...user, createdAt: new Date(user.createdAt), updatedAt: new Date(user.updatedAt) };
}

/** The id a session is stored under: the SHA-256 of its cookie secret. */
export const sessionId = (secret: string) => sha256(secret);

/**
 * Of these sessions (by id), the ones still valid now (not revoked, not expired, user active), with their
 * user and the user's current role. Open event streams are checked against it (http/sse.ts).
 */
export async function validSessions(ctx: Ctx, ids: string[]): Promise<Map<string, { userId: string; role: Role }>> {
  if (ids.length === 0) return new Map();
  const found = await ctx.db
    .select({ id: sessions.idHash, userId: users.id, role: users.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(inArray(sessions.idHash, ids), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`), eq(users.active, true)));
  return new Map(found.map((s) => [s.id, { userId: s.userId, role: s.role }]));
}

export async function logout(ctx: Ctx, secret: string, ip?: string | null): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [s] = await tx
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.idHash, sha256(secret)), isNull(sessions.revokedAt)))
      .returning();
    if (s) await audit(tx, { action: 'auth.logout', actorId: s.userId, subjectUserId: s.userId, ip: ip ?? null });
  });
}
