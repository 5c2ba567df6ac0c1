// Accounts: creation and changes by admins, Slack linking and provisioning, the first super_admin.
import { and, asc, eq, ilike, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Executor } from '../../db/client';
import { sessions, users, type Locale, type Role, type SignedInUser, type User } from '../../db/schema';
import { atLeast, requireAdmin, type Actor, type Ctx } from './context';
import { audit, auditFor } from './audit';
import { hashPassword } from './crypto';
import { DomainError, fail } from './errors';
import { NewUserInput, UserChangesInput, parseInput } from './input';
import { type Page } from './pagination';
import { afterCursor } from './sql/page';
import { stockOf } from './sql/tokens';

export function presentUser(u: SignedInUser) {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    role: u.role,
    active: u.active,
    slackUserId: u.slackUserId,
    locale: u.locale,
    createdAt: u.createdAt.toISOString(),
  };
}

export async function getUser(ex: Executor, id: string): Promise<User | undefined> {
  const [u] = await ex.select().from(users).where(eq(users.id, id));
  return u;
}

export async function findUserBySlackId(ctx: Ctx, slackUserId: string): Promise<User | undefined> {
  const [u] = await ctx.db.select().from(users).where(eq(users.slackUserId, slackUserId));
  return u;
}

/** The account with this username, whatever its case (usernames are unique case-insensitively). */
export async function findUserByUsername(ex: Executor, username: string): Promise<User | undefined> {
  const [u] = await ex
    .select()
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username.trim()})`);
  return u;
}

/**
 * Whom a shell operator (the CLI) acts as: the named account or, by default, the oldest super_admin, so
 * every change is audited under a real account. Only a super_admin may operate from a shell.
 */
export async function operatorActor(ctx: Ctx, username?: string): Promise<Actor> {
  const u = username
    ? ((await findUserByUsername(ctx.db, username)) ?? fail('not_found', `No user named "${username}".`))
    : (await ctx.db.select().from(users).where(eq(users.role, 'super_admin')).orderBy(asc(users.createdAt)).limit(1))[0];
  if (!u || u.role !== 'super_admin') {
    return fail('forbidden', 'The CLI acts as a super_admin: pass --as with one, or start the server once to create the first.');
  }
  return { id: u.id, role: u.role, ip: null };
}

/** Active admins linked to Slack (whose App Home shows the admin view). */
export async function slackLinkedAdmins(ctx: Ctx): Promise<User[]> {
  return ctx.db
    .select()
    .from(users)
    .where(and(inArray(users.role, ['admin', 'super_admin']), eq(users.active, true), isNotNull(users.slackUserId)));
}

/** What creating an account takes (checked against NewUserInput; role defaults to staff). */
export type NewUser = z.input<typeof NewUserInput>;

/** Unique-violation on username or Slack id becomes a 409 the caller can act on. */
function conflictFrom(err: unknown): never {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const pg = e.cause ?? e;
  if (pg.code === '23505') {
    const field = pg.constraint?.includes('slack') ? 'slackUserId' : 'username';
    fail('conflict', field === 'slackUserId' ? 'That Slack user is already linked to another account.' : 'That username is taken.', { field });
  }
  throw err;
}

export async function createUser(ctx: Ctx, actor: Actor | null, newUser: NewUser, opts: { slackProvisioned?: boolean } = {}): Promise<User> {
  // actor null: the system itself (first start, Slack provisioning as staff).
  if (actor) requireAdmin(actor);
  const input = parseInput(NewUserInput, newUser);
  if (actor && input.role !== 'staff' && !atLeast(actor, 'super_admin')) fail('forbidden', 'Only a super_admin may create admins.');
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  try {
    return await ctx.db.transaction(async (tx) => {
      const [u] = await tx
        .insert(users)
        .values({
          username: input.username,
          name: input.name,
          role: input.role,
          passwordHash,
          slackUserId: input.slackUserId ?? null,
          slackProvisioned: opts.slackProvisioned ?? false,
        })
        .returning();
      await audit(tx, {
        action: 'user.created',
        ...auditFor(actor),
        subjectUserId: u!.id,
        details: { username: u!.username, role: u!.role, slackUserId: u!.slackUserId, ...(opts.slackProvisioned && { provisionedFromSlack: true }) },
      });
      return u!;
    });
  } catch (err) {
    if (err instanceof DomainError) throw err;
    return conflictFrom(err);
  }
}

export type UserChanges = z.input<typeof UserChangesInput>;

export async function updateUser(ctx: Ctx, actor: Actor, id: string, requested: UserChanges): Promise<User> {
  requireAdmin(actor);
  const changes = parseInput(UserChangesInput, requested);
  if (changes.role !== undefined && !atLeast(actor, 'super_admin')) fail('forbidden', 'Only a super_admin may change roles.');
  if (id === actor.id && (changes.role !== undefined || changes.active === false)) {
    fail('forbidden', 'You cannot change your own role or deactivate yourself.');
  }
  const passwordHash = changes.password ? await hashPassword(changes.password) : undefined;
  try {
    return await ctx.db.transaction(async (tx) => {
      const [target] = await tx.select().from(users).where(eq(users.id, id)).for('update');
      if (!target) return fail('not_found', 'No such user.');
      // An admin may not edit a peer or a superior; a super_admin may edit anyone.
      if (target.role !== 'staff' && !atLeast(actor, 'super_admin') && target.id !== actor.id) fail('forbidden', 'Only a super_admin may change an admin.');
      const set = {
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.role !== undefined && { role: changes.role }),
        ...(changes.active !== undefined && { active: changes.active }),
        ...(changes.slackUserId !== undefined && { slackUserId: changes.slackUserId }),
        ...(passwordHash !== undefined && { passwordHash }),
        updatedAt: sql`now()`,
      };
      const [u] = await tx.update(users).set(set).where(eq(users.id, id)).returning();
      // Deactivation or a new password ends every open session of that account.
      if (changes.active === false || passwordHash) {
        await tx
          .update(sessions)
          .set({ revokedAt: sql`now()` })
          .where(and(eq(sessions.userId, id), sql`${sessions.revokedAt} is null`));
      }
      const changed = Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined);
      await audit(tx, {
        action: 'user.updated',
        ...auditFor(actor),
        subjectUserId: id,
        details: {
          changed,
          ...(changes.role !== undefined && { role: changes.role, previousRole: target.role }),
          ...(changes.active !== undefined && { active: changes.active }),
        },
      });
      return u!;
    });
  } catch (err) {
    if (err instanceof DomainError) throw err;
    return conflictFrom(err);
  }
}

export interface UserFilter {
  q?: string | undefined;
  role?: Role | undefined;
}

export async function listUsers(ctx: Ctx, actor: Actor, filter: UserFilter, page: Page) {
  requireAdmin(actor);
  // Qualified by hand: drizzle leaves columns unqualified in single-table selects.
  const available = stockOf(sql`"users"."id"`);
  const q = filter.q?.trim();
  const rows = await ctx.db
    .select({ user: users, availableTokens: available })
    .from(users)
    .where(
      and(
        q ? or(ilike(users.username, `%${escapeLike(q)}%`), ilike(users.name, `%${escapeLike(q)}%`)) : undefined,
        filter.role ? eq(users.role, filter.role) : undefined,
        page.cursor ? afterCursor({ table: users, order: [sql`lower(${users.username})`, users.id], id: users.id, direction: 'asc' }, page.cursor) : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${users.username})`), asc(users.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map((r) => ({ ...presentUser(r.user), availableTokens: r.availableTokens }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? last.id : null };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** What Slack says about a person (users.info), as far as provisioning needs it. */
export interface SlackProfile {
  id: string;
  teamId: string | null;
  name?: string | undefined;
  username?: string | undefined;
  deleted: boolean;
  bot: boolean;
  /** A multi- or single-channel guest. */
  guest: boolean;
}

export type SlackProvisioning = { user: User } | { refused: 'disabled' | 'inactive' | 'not_member' };

/**
 * The Slack user's account: the one linked by slackUserId; else, when SLACK_AUTO_PROVISION is on, a new
 * staff account, but only for a full member of the app's own workspace (`workspaceTeamId`, from Slack's
 * auth.test): not someone of another workspace, a guest, a bot or a deleted user. Roles never come from
 * Slack. The account is marked as the bot's, so it follows its Slack user (followSlackDeactivation).
 */
export async function provisionSlackUser(ctx: Ctx, profile: SlackProfile, workspaceTeamId: string): Promise<SlackProvisioning> {
  const existing = await findUserBySlackId(ctx, profile.id);
  if (existing) return existing.active ? { user: existing } : { refused: 'inactive' };
  if (!ctx.config.slack?.autoProvision) return { refused: 'disabled' };
  if (profile.teamId !== workspaceTeamId || profile.deleted || profile.bot || profile.guest || profile.id === 'USLACKBOT') return { refused: 'not_member' };
  // A username the input rules accept (2+ of letters, digits, . _ -), whatever Slack calls the person.
  const cleaned = (profile.username ?? profile.name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '')
    .slice(0, 40);
  const base = cleaned.length >= 2 ? cleaned : `slack-${profile.id.toLowerCase()}`;
  for (const username of [base, `${base}-${profile.id.toLowerCase()}`]) {
    try {
      return {
        user: await createUser(
          ctx,
          null,
          { username, name: profile.name?.trim().slice(0, 100) || username, role: 'staff', slackUserId: profile.id },
          { slackProvisioned: true },
        ),
      };
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'conflict')) throw err;
      // Two instances provisioning the same Slack user at once: the other one won.
      const raced = await findUserBySlackId(ctx, profile.id);
      if (raced) return raced.active ? { user: raced } : { refused: 'inactive' };
    }
  }
  return { refused: 'not_member' };
}

/**
 * Slack deactivated (deleted) a user: the account the bot created for them is deactivated too, and its
 * sessions end. An account an admin created and linked is left to the admin (who is told in the log).
 */
export async function followSlackDeactivation(ctx: Ctx, slackUserId: string): Promise<{ deactivated: User | null; linked: User | null }> {
  return ctx.db.transaction(async (tx) => {
    const [u] = await tx
      .update(users)
      .set({ active: false, updatedAt: sql`now()` })
      .where(and(eq(users.slackUserId, slackUserId), eq(users.slackProvisioned, true), eq(users.active, true)))
      .returning();
    if (!u) {
      const [linked] = await tx.select().from(users).where(eq(users.slackUserId, slackUserId));
      return { deactivated: null, linked: linked ?? null };
    }
    await tx
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.userId, u.id), sql`${sessions.revokedAt} is null`));
    await audit(tx, {
      action: 'user.updated',
      subjectUserId: u.id,
      details: { changed: ['active'], active: false, reason: 'slack_user_deactivated', slackUserId },
    });
    return { deactivated: u, linked: u };
  });
}

/** The signed-in person's language for the app and the bot (null: the browser's, or Slack's). */
export async function setMyLocale(ctx: Ctx, actor: Actor, locale: Locale | null): Promise<User> {
  return ctx.db.transaction(async (tx) => {
    const [u] = await tx
      .update(users)
      .set({ locale, updatedAt: sql`now()` })
      .where(eq(users.id, actor.id))
      .returning();
    if (!u) return fail('not_found', 'No such user.');
    await audit(tx, { action: 'user.updated', ...auditFor(actor), subjectUserId: u.id, details: { changed: ['locale'], locale } });
    return u;
  });
}

/** First start: with no user at all, create the super_admin. Returns the generated password, if any. */
export async function ensureFirstAdmin(ctx: Ctx, generatePassword: () => string): Promise<{ username: string; password?: string } | null> {
  const [{ n } = { n: 0 }] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(users);
  if (n > 0) return null;
  const username = ctx.config.admin.username ?? 'admin';
  const generated = ctx.config.admin.password ? undefined : generatePassword();
  await createUser(ctx, null, { username, name: 'Administrator', role: 'super_admin', password: ctx.config.admin.password ?? generated });
  return { username, ...(generated && { password: generated }) };
}
