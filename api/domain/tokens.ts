// Tokens: bulk generation (CSPRNG digits, keyed hashes), atomic single-use validation that opens a
// grant, revocation, listing, and the one-time delivery of assigned tokens to their holder.
import { and, desc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { rows, type Executor, type Tx } from '../../db/client';
import { tokens, type Token, type TokenStatus } from '../../db/schema';
import { requireAdmin, slackEnabled, type Actor, type Ctx } from './context';
import { audit, auditFor } from './audit';
import { randomDigits, seal, tokenHash, tokenSecrets, unseal } from './crypto';
import { DomainError, fail } from './errors';
import { DEFAULT_TOKEN_LENGTH, GenerateInput, parseInput } from './input';
import { EVENTS_CHANNEL, publish } from './events';
import { enqueue, OUTBOX_CHANNEL, orderingKeySql } from './outbox';
import { toPage, type Page } from './pagination';
import { lockedFor, recordFailure, serializeAttempts, validationKey } from './lockout';
import { checkStock } from './stock';
import { presentGrant, type GrantView } from './grants';

export { DEFAULT_TOKEN_LENGTH };

/** The status a client sees: an available token past its expiry is expired even before the sweep runs. */
export function presentToken(t: Token, now = new Date()) {
  const status: TokenStatus = t.status === 'available' && t.expiresAt <= now ? 'expired' : t.status;
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

export interface IssueSpec {
  count: number;
  length: number;
  userId: string | null;
  generatedBy: string | null;
  notes?: string | null | undefined;
  expiresAt: Date;
  requestId?: string | null;
}

const INSERT_CHUNK = 5000;

/**
 * Insert `count` fresh tokens and return them with their plaintext. Uniqueness among available tokens is
 * the partial unique index's job: a code that collides is skipped by ON CONFLICT and drawn again. Each
 * chunk is one INSERT ... SELECT over a JSON array, so 10,000 tokens cost two statements, not 10,000
 * bound parameter sets.
 */
export async function issueTokens(ctx: Ctx, tx: Tx, spec: IssueSpec): Promise<Array<{ row: Token; plaintext: string }>> {
  const issued: Array<{ row: Token; plaintext: string }> = [];
  // Sealed copies wait for delivery to an assignee; unassigned tokens are shown once to the generator only.
  const sealFor = spec.userId !== null;
  for (let round = 0; issued.length < spec.count; round++) {
    if (round > 20) fail('conflict', `Could not find ${spec.count} unused ${spec.length}-digit codes; use a longer length.`);
    const want = spec.count - issued.length;
    const byHash = new Map<string, string>();
    while (byHash.size < want) {
      const code = randomDigits(spec.length);
      byHash.set(tokenHash(ctx.config.secret, code), code);
    }
    const batch = [...byHash];
    for (let i = 0; i < batch.length; i += INSERT_CHUNK) {
      const items = batch.slice(i, i + INSERT_CHUNK).map(([h, code]) => (sealFor ? { h, s: seal(ctx.config.secret, code) } : { h }));
      const inserted = await rows<{ id: string; hash: string; created_at: Date | string }>(
        tx,
        sql`insert into tokens (hash, length, user_id, generated_by, request_id, notes, expires_at, sealed)
            select t.h, ${spec.length}, ${spec.userId}::uuid, ${spec.generatedBy}::uuid, ${spec.requestId ?? null}::uuid, ${spec.notes ?? null}::text, ${spec.expiresAt.toISOString()}::timestamptz, t.s
            from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as t(h text, s text)
            on conflict (hash) where status = 'available' do nothing
            returning id, hash, created_at`,
      );
      for (const r of inserted) {
        issued.push({
          plaintext: byHash.get(r.hash)!,
          row: {
            id: r.id,
            hash: r.hash,
            length: spec.length,
            status: 'available',
            userId: spec.userId,
            generatedBy: spec.generatedBy,
            requestId: spec.requestId ?? null,
            usedBy: null,
            usedAt: null,
            revokedAt: null,
            expiresAt: spec.expiresAt,
            createdAt: new Date(r.created_at),
            notes: spec.notes ?? null,
            sealed: null,
          },
        });
      }
    }
  }
  return issued;
}

export async function generateTokens(ctx: Ctx, actor: Actor, requested: z.input<typeof GenerateInput>) {
  requireAdmin(actor);
  const input = parseInput(GenerateInput, requested);
  const length = input.length;
  if (input.count > ctx.config.maxGenerateCount) {
    fail('invalid_input', `count must be between 1 and ${ctx.config.maxGenerateCount}.`, { count: `1..${ctx.config.maxGenerateCount}` });
  }
  const expiresAt = new Date(Date.now() + (input.expiresInDays ?? ctx.config.tokenTtlDays) * 86_400_000);
  return ctx.db.transaction(async (tx) => {
    const userId = input.userId ?? null;
    if (userId) await requireActiveUser(tx, userId);
    const issued = await issueTokens(ctx, tx, { count: input.count, length, userId, generatedBy: actor.id, notes: input.notes, expiresAt });
    await audit(tx, {
      action: 'token.generated',
      ...auditFor(actor),
      subjectUserId: userId,
      tokenId: issued.length === 1 ? issued[0]!.row.id : null,
      details: { count: issued.length, length, expiresAt: expiresAt.toISOString(), notes: input.notes ?? null },
    });
    await publish(tx, { type: 'token.generated', userId, count: issued.length });
    if (userId) {
      await enqueue(ctx, tx, { kind: 'tokens.deliver', payload: { userId } });
      await checkStock(ctx, tx, userId, 'rose');
    }
    return issued.map(({ row, plaintext }) => ({ ...presentToken(row), token: plaintext }));
  });
}

async function requireActiveUser(ex: Executor, userId: string) {
  const [u] = await rows(ex, sql`select 1 from users where id = ${userId} and active`);
  if (!u) fail('not_found', 'No active user with that id.', { userId: 'unknown' });
}

export type ValidateFailureCode = 'token_invalid' | 'token_used' | 'token_expired';

export interface ValidateInput {
  token: string;
  reason: string;
  patientRef?: string | null | undefined;
}

/**
 * Consume a token and open a grant. The conditional UPDATE ... RETURNING is the single-use guarantee: of
 * any number of concurrent validations of one token exactly one sees the row.
 *
 * A success is one statement (its own transaction), because validation is the bedside hot path. A miss
 * is handled in a second transaction that first takes the caller's attempt lock, so parallel guesses are
 * counted one after another: it re-checks the lockout (a guess counted after the lockout began is a 429,
 * not another 422), then counts and audits the failure and reports it as a DomainError.
 */
export async function validateToken(ctx: Ctx, actor: Actor, input: ValidateInput): Promise<{ grant: GrantView; alreadyUsed?: true }> {
  const key = validationKey(actor.id);
  // Under APP_SECRET first; a token made before a rotation is found under APP_SECRET_PREVIOUS.
  const hashes = tokenSecrets(ctx.config).map((secret) => tokenHash(secret, input.token));
  let opened: Awaited<ReturnType<typeof consumeAndOpen>> = null;
  for (const hash of hashes) {
    opened = await consumeAndOpen(ctx, actor, key, hash, input);
    if (opened) break;
  }
  if (opened) {
    // The stock alert is a change of its own, made after the use is committed, so it sees it.
    if (opened.assigned) await checkStock(ctx, ctx.db, actor.id, 'fell');
    return { grant: opened.grant };
  }
  const repeat = await repeatOfOwnUse(ctx, actor, hashes);
  if (repeat) return { grant: repeat, alreadyUsed: true };
  const error = await ctx.db.transaction(async (tx) => {
    await serializeAttempts(tx, key);
    const retryAfter = await lockedFor(tx, key);
    if (retryAfter > 0) {
      await audit(tx, { action: 'token.validated', outcome: 'failure', ...auditFor(actor), subjectUserId: actor.id, details: { code: 'too_many_attempts' } });
      return new DomainError('too_many_attempts', 'Too many failed attempts. Validation is locked for a while.', { retryAfterSeconds: retryAfter });
    }
    return recordMiss(ctx, tx, actor, hashes);
  });
  throw error;
}

interface OpenedRow {
  id: string;
  user_id: string;
  token_id: string;
  reason: string;
  patient_ref: string | null;
  created_at: Date | string;
  expires_at: Date | string;
  assigned: boolean;
}

/**
 * The success path as one statement: unless the caller is locked out, use the token (available,
 * unexpired, theirs or general), end their previous emergency session, open the new one, end their run
 * write the audit event, queue the admin-channel notice (when Slack is on) and announce
 * token.used and grant.opened (NOTIFY is delivered at commit). Returns null when no token was used. A
 * success does not clear earlier failures: the lockout window slides (lockout.ts).
 */
async function consumeAndOpen(ctx: Ctx, actor: Actor, key: string, hash: string, input: ValidateInput) {
  const patientRef = input.patientRef ?? null;
  const [row] = await rows<OpenedRow>(
    ctx.db,
    sql`with used as (
          update tokens set status = 'used', used_by = ${actor.id}, used_at = now(), sealed = null
          where hash = ${hash} and status = 'available' and expires_at > now()
            and (user_id is null or user_id = ${actor.id})
            and not exists (select 1 from attempt_counters where key = ${key} and locked_until > now())
          returning id, user_id
        ), ended as (
          update grants set cleared_at = now()
          where user_id = ${actor.id} and cleared_at is null and expires_at > now() and exists (select 1 from used)
        ), opened as (
          insert into grants (user_id, token_id, reason, patient_ref, expires_at)
          select ${actor.id}, used.id, ${input.reason}, ${patientRef}, now() + make_interval(mins => ${ctx.config.grantMinutes}) from used
          returning id, user_id, token_id, reason, patient_ref, created_at, expires_at
        ), audited as (
          insert into audit_events (action, outcome, actor_id, subject_user_id, token_id, grant_id, ip, details)
          select 'token.validated', 'success', ${actor.id}, ${actor.id}, opened.token_id, opened.id, ${actor.ip ?? null}::inet,
                 jsonb_build_object('reason', ${input.reason}::text, 'patientRef', ${patientRef}::text)
          from opened
        ), queued as (
          insert into outbox (kind, payload, ordering_key)
          select 'grant.opened', jsonb_build_object('grantId', opened.id), ${orderingKeySql.grant(sql`opened.id`)} from opened where ${slackEnabled(ctx)}::boolean
          returning id
        )
        select opened.*, used.user_id is not null as assigned,
               pg_notify(${EVENTS_CHANNEL}, json_build_object('type', 'token.used', 'userId', opened.user_id, 'tokenId', opened.token_id, 'at', now())::text),
               pg_notify(${EVENTS_CHANNEL}, json_build_object('type', 'grant.opened', 'userId', opened.user_id, 'grantId', opened.id, 'tokenId', opened.token_id, 'at', now())::text),
               (select pg_notify(${OUTBOX_CHANNEL}, '') from queued limit 1)
        from opened, used`,
  );
  if (!row) return null;
  const grant = presentGrant(
    {
      id: row.id,
      userId: row.user_id,
      tokenId: row.token_id,
      reason: row.reason,
      patientRef: row.patient_ref,
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
      clearedAt: null,
      slackChannel: null,
      slackTs: null,
      reviewedAt: null,
    },
    null,
  );
  return { grant, assigned: row.assigned };
}

/** How recent a use of the caller's own token must be for a repeat to count as a double tap. */
export const DOUBLE_TAP_SECONDS = 10;

/**
 * A double-tapped Validate: the caller used this very token in the last few seconds and the session it
 * opened is still open. That is no failed attempt: the answer is the open session (audited as a repeat).
 */
async function repeatOfOwnUse(ctx: Ctx, actor: Actor, hashes: string[]): Promise<GrantView | null> {
  const [row] = await rows<{ id: string; user_id: string; token_id: string; reason: string; patient_ref: string | null; created_at: Date | string; expires_at: Date | string }>(
    ctx.db,
    sql`select g.id, g.user_id, g.token_id, g.reason, g.patient_ref, g.created_at, g.expires_at
        from tokens t join grants g on g.token_id = t.id
        where t.hash in (${sql.join(hashes.map((h) => sql`${h}`), sql`, `)}) and t.status = 'used' and t.used_by = ${actor.id} and t.used_at > now() - make_interval(secs => ${DOUBLE_TAP_SECONDS})
          and g.user_id = ${actor.id} and g.cleared_at is null and g.expires_at > now()
        limit 1`,
  );
  if (!row) return null;
  await audit(ctx.db, { action: 'token.validated', ...auditFor(actor), subjectUserId: actor.id, tokenId: row.token_id, grantId: row.id, details: { repeat: true } });
  return presentGrant(
    { id: row.id, userId: row.user_id, tokenId: row.token_id, reason: row.reason, patientRef: row.patient_ref, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at), clearedAt: null, slackChannel: null, slackTs: null, reviewedAt: null },
    null,
  );
}

/** Say why only for the caller's own tokens; anything else is just invalid. */
async function recordMiss(ctx: Ctx, tx: Tx, actor: Actor, hashes: string[]): Promise<DomainError> {
  const [own] = await tx
    .select({ status: tokens.status, expiresAt: tokens.expiresAt, id: tokens.id })
    .from(tokens)
    .where(and(eq(tokens.userId, actor.id), inArray(tokens.hash, hashes)))
    .orderBy(desc(tokens.createdAt))
    .limit(1);
  let code: ValidateFailureCode = 'token_invalid';
  if (own?.status === 'used') code = 'token_used';
  else if (own?.status === 'expired' || (own?.status === 'available' && own.expiresAt <= new Date())) code = 'token_expired';

  const failure = await recordFailure(ctx, tx, validationKey(actor.id));
  await audit(tx, {
    action: 'token.validated',
    outcome: 'failure',
    ...auditFor(actor),
    subjectUserId: actor.id,
    tokenId: own && code !== 'token_invalid' ? own.id : null,
    details: { code, attemptsLeft: failure.attemptsLeft },
  });
  if (failure.lockedUntil) {
    const lockedUntil = failure.lockedUntil.toISOString();
    await audit(tx, { action: 'lockout', ...auditFor(actor), subjectUserId: actor.id, details: { scope: 'validation', lockedUntil, failures: failure.failures } });
    await publish(tx, { type: 'lockout', userId: actor.id, lockedUntil });
    await enqueue(ctx, tx, { kind: 'lockout', payload: { userId: actor.id, lockedUntil } });
  }
  const messages: Record<ValidateFailureCode, string> = {
    token_invalid: 'This token is not valid.',
    token_used: 'This token has already been used.',
    token_expired: 'This token has expired.',
  };
  return new DomainError(code, messages[code], { attemptsLeft: failure.attemptsLeft, ...(failure.lockedUntil && { lockedUntil: failure.lockedUntil.toISOString() }) });
}

export async function revokeToken(ctx: Ctx, actor: Actor, id: string) {
  requireAdmin(actor);
  return ctx.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(tokens)
      .set({ status: 'revoked', revokedAt: sql`now()`, sealed: null })
      .where(and(eq(tokens.id, id), eq(tokens.status, 'available')))
      .returning();
    if (!revoked) {
      const [t] = await tx.select({ status: tokens.status }).from(tokens).where(eq(tokens.id, id));
      if (!t) return fail('not_found', 'No such token.');
      return fail('conflict', `This token is ${t.status} and cannot be revoked.`, { status: t.status });
    }
    await audit(tx, { action: 'token.revoked', ...auditFor(actor), subjectUserId: revoked.userId, tokenId: revoked.id });
    await publish(tx, { type: 'token.revoked', userId: revoked.userId, tokenId: revoked.id });
    if (revoked.userId) await checkStock(ctx, tx, revoked.userId, 'fell');
    return presentToken(revoked);
  });
}

export interface TokenFilter {
  status?: TokenStatus | undefined;
  userId?: string | undefined;
}

function statusCondition(status: TokenStatus | undefined): SQL | undefined {
  if (status === 'available') return sql`${tokens.status} = 'available' and ${tokens.expiresAt} > now()`;
  if (status === 'expired') return sql`(${tokens.status} = 'expired' or (${tokens.status} = 'available' and ${tokens.expiresAt} <= now()))`;
  return status ? eq(tokens.status, status) : undefined;
}

const afterToken = (cursor: string) =>
  sql`(${tokens.createdAt}, ${tokens.id}) < (select t2.created_at, t2.id from ${tokens} t2 where t2.id::text = ${cursor})`;

export async function listTokens(ctx: Ctx, actor: Actor, filter: TokenFilter, page: Page) {
  requireAdmin(actor);
  const rows = await ctx.db
    .select()
    .from(tokens)
    .where(and(statusCondition(filter.status), filter.userId ? eq(tokens.userId, filter.userId) : undefined, page.cursor ? afterToken(page.cursor) : undefined))
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
      available: sql<number>`count(*) filter (where ${tokens.status} = 'available' and ${tokens.expiresAt} > now())::int`,
      pendingReveal: sql<number>`count(*) filter (where ${tokens.sealed} is not null and ${tokens.status} = 'available')::int`,
    })
    .from(tokens)
    .where(eq(tokens.userId, actor.id));
  return { available: counts?.available ?? 0, pendingReveal: counts?.pendingReveal ?? 0, items };
}

/** Sealed tokens taken out of their rows for one delivery attempt; kept (still sealed) by the outbox row. */
export interface HeldTokens {
  tokens: Array<{ id: string; sealed: string; expiresAt: string }>;
}

/**
 * Takes the sealed plaintext of the holder's tokens (those of one request, or those assigned outside any
 * request) out of the token rows, for one delivery attempt: from then on the one-time reveal no longer
 * offers them, and no other delivery can take them. The caller keeps what it holds (still sealed) until
 * it knows the outcome: delivered (drop it) or not, or not known (put it back with releaseHeldTokens, so
 * the holder can reveal them once in the app).
 */
export async function holdSealedTokens(tx: Tx, userId: string, from: { requestId: string } | 'assigned'): Promise<HeldTokens> {
  const scope = from === 'assigned' ? sql`request_id is null` : sql`request_id = ${from.requestId}`;
  const taken = await rows<{ id: string; sealed: string; expires_at: Date | string }>(
    tx,
    sql`update tokens t set sealed = null
        from (select id, sealed from tokens where user_id = ${userId} and sealed is not null and status = 'available' and ${scope} for update) s
        where t.id = s.id
        returning t.id, s.sealed, t.expires_at`,
  );
  return { tokens: taken.map((t) => ({ id: t.id, sealed: t.sealed, expiresAt: new Date(t.expires_at).toISOString() })).sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.id.localeCompare(b.id)) };
}

/** Puts held tokens back (those still available), so their holder can reveal them once in the app. */
export async function releaseHeldTokens(tx: Tx, held: HeldTokens): Promise<void> {
  if (held.tokens.length === 0) return;
  const items = held.tokens.map((t) => ({ id: t.id, s: t.sealed }));
  await tx.execute(
    sql`update tokens t set sealed = h.s
        from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as h(id uuid, s text)
        where t.id = h.id and t.status = 'available' and t.sealed is null`,
  );
}

/** The plaintext of held tokens, for the message that carries them (never stored or logged). */
export function unsealHeld(ctx: Ctx, held: HeldTokens): string[] {
  return held.tokens.map((t) => unseal(ctx.config.secret, t.sealed));
}

/**
 * Hand over, once, the plaintext of the holder's newly assigned tokens and forget it: the PWA's one-time
 * reveal. (Slack delivery holds them first, see holdSealedTokens.)
 */
export async function takeSealedTokens(ctx: Ctx, tx: Executor, userId: string): Promise<Array<{ id: string; token: string; expiresAt: string }>> {
  // The row lock makes the hand-over happen once even when Slack delivery and a reveal race.
  const sealedRows = await tx
    .select({ id: tokens.id, sealed: tokens.sealed, expiresAt: tokens.expiresAt })
    .from(tokens)
    .where(and(eq(tokens.userId, userId), isNotNull(tokens.sealed), eq(tokens.status, 'available')))
    .orderBy(tokens.createdAt, tokens.id)
    .for('update');
  if (sealedRows.length === 0) return [];
  await tx.update(tokens).set({ sealed: null }).where(inArray(tokens.id, sealedRows.map((t) => t.id)));
  return sealedRows.map((t) => ({ id: t.id, token: unseal(tokenSecrets(ctx.config), t.sealed!), expiresAt: t.expiresAt.toISOString() }));
}

export async function revealMyTokens(ctx: Ctx, actor: Actor) {
  return ctx.db.transaction(async (tx) => takeSealedTokens(ctx, tx, actor.id));
}
