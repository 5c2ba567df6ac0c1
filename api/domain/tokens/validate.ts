// Validation, the bedside hot path: atomic single use that opens a grant in one statement; a double tap
// answered with the session it opened; a miss counted and audited under the caller's attempt lock.
import { sql } from 'drizzle-orm';
import type { Tx } from '../../../db/client';
import { param, rendered, Statement } from '../../../db/statement';
import { tokens } from '../../../db/schema';
import { slackEnabled, type Actor, type Ctx } from '../context';
import { audit, auditFor } from '../audit';
import { tokenHash, tokenSecrets } from '../crypto';
import { DomainError } from '../errors';
import { announceCommitted, eventPayload, publish } from '../events';
import { enqueue, wakeOutboxCommitted } from '../outbox';
import { auditInsert } from '../sql/audit';
import { activeGrantOf } from '../sql/grants';
import { isLocked, lockedKey } from '../sql/lockout';
import { outboxRow } from '../sql/outbox';
import { effectiveTokenStatusSql, usableToken } from '../sql/tokens';
import { attemptLock, failureOutcome, failureUpsert, validationKey } from '../lockout';
import { stockAfterUse, stockAlert } from '../stock';
import { presentGrant, type GrantView } from '../grants';
import type { z } from 'zod';
import { parseInput, ValidateInput as ValidateRule } from '../input';

export type ValidateFailureCode = 'token_invalid' | 'token_used' | 'token_expired';

/** What validation takes: the typed code, why, and optionally whom it is for (input.ts's rule). */
export type ValidateInput = z.input<typeof ValidateRule>;

/**
 * Consume a token and open a grant. The conditional UPDATE ... RETURNING is the single-use guarantee: of
 * any number of concurrent validations of one token exactly one sees the row.
 *
 * A success is one statement (its own transaction), because validation is the bedside hot path. A miss
 * is handled in a second transaction that first takes the caller's attempt lock, so parallel guesses are
 * counted one after another: it re-checks the lockout (a guess counted after the lockout began is a 429,
 * not another 422), then counts and audits the failure and reports it as a DomainError.
 */
export async function validateToken(ctx: Ctx, actor: Actor, requested: ValidateInput): Promise<{ grant: GrantView; alreadyUsed?: true }> {
  const input = parseInput(ValidateRule, requested);
  const key = validationKey(actor.id);
  // Under APP_SECRET first; a token made before a rotation is found under APP_SECRET_PREVIOUS.
  const hashes = tokenSecrets(ctx.config).map((secret) => tokenHash(secret, input.token));
  let opened: Awaited<ReturnType<typeof consumeAndOpen>> = null;
  for (const hash of hashes) {
    opened = await consumeAndOpen(ctx, actor, key, hash, input);
    if (opened) break;
  }
  if (opened) return { grant: opened.grant };
  const repeat = await repeatOfOwnUse(ctx, actor, hashes);
  if (repeat) return { grant: repeat, alreadyUsed: true };
  const error = await ctx.db.transaction(async (tx) => {
    // Both prepared, on this transaction's connection: first the attempt lock, then (a new statement, so
    // it sees every attempt committed before the lock was granted) the check, count and audit of the miss.
    await ctx.database.prepared(new Statement('validate_attempt_lock', attemptLock(key)), tx);
    return missAnswer(ctx, tx, actor, hashes);
  });
  throw error;
}

/**
 * The success statement's row: the opened grant, the payloads of token.used, grant.opened and (when this
 * use left the caller's stock under the threshold) stock.low, and whether messages were queued for the
 * outbox (the admin channel's notice; the low-stock DM).
 */
type OpenedRow = OpenGrantRow & { used_event: string; opened_event: string; stock_event: string | null; queued?: boolean; stock_queued?: boolean };

/**
 * The success path as one statement: unless the caller is locked out, use the token (available,
 * unexpired, theirs or general), end their previous emergency session, open the new one,
 * write the audit event, queue the admin-channel notice (when Slack is on) and, when the token was their
 * own, check what is left of their stock (the low-stock alert, stock.ts); once it has returned
 * (committed), its events are announced and the outbox woken, outside the statement so
 * that validations do not commit one at a time under the notify lock (db/notifier.ts). Returns null
 * when no token was used. A success does not clear earlier failures: the lockout window slides (lockout.ts).
 */
async function consumeAndOpen(ctx: Ctx, actor: Actor, key: string, hash: string, input: ValidateInput) {
  const patientRef = input.patientRef ?? null;
  const [row] = await ctx.database.prepared<OpenedRow>(
    useStatement(slackEnabled(ctx) ? 'slack' : 'plain').with({
      hash,
      actorId: actor.id,
      key,
      reason: input.reason,
      patientRef,
      minutes: ctx.config.grantMinutes,
      threshold: ctx.config.lowTokenThreshold,
      ip: actor.ip ?? null,
      details: JSON.stringify({ reason: input.reason, patientRef }),
      requestId: ctx.requestId ?? null,
    }),
  );
  if (!row) return null;
  announceCommitted(ctx.database, [row.used_event, row.opened_event, row.stock_event]);
  if (row.queued || row.stock_queued) wakeOutboxCommitted(ctx);
  return { grant: openGrantView(row) };
}

// Built and rendered once per shape (Slack on or off, which decides whether the admin channel's notice and
// the low-stock DM are queued), every value a param: building and rendering it per request cost more server time than the
// rest of the request's own code (db/statement.ts).
const useStatement = rendered('validate_use', (shape: 'slack' | 'plain') => {
  const actorId = param('actorId');
  const opened = sql`opened`;
  const queue = shape === 'slack' ? outboxRow({ kind: 'grant.opened', payload: { grantId: sql`opened.id` } }, param('requestId'), opened) : null;
  // When the token was the caller's own: the low-stock alert for what this use leaves (stock.ts).
  const alert = stockAlert(actorId, param('threshold'), (available) =>
    shape === 'slack' ? outboxRow({ kind: 'stock.low', payload: { userId: sql`${actorId}::uuid`, available } }, param('requestId'), sql`stock_alerted`) : null,
  );
  return sql`with used as (
      update tokens set status = 'used', used_by = ${actorId}, used_at = now(), sealed = null
      where ${tokens.hash} = ${param('hash')} and ${usableToken()}
        and (${tokens.userId} is null or ${tokens.userId} = ${actorId})
        and not ${isLocked(param('key'))}
      returning id, user_id
    ), ended as (
      update grants set cleared_at = now()
      where ${activeGrantOf(actorId)} and exists (select 1 from used)
    ), opened as (
      insert into grants (user_id, token_id, reason, patient_ref, expires_at)
      select ${actorId}, used.id, ${param('reason')}, ${param('patientRef')}, now() + make_interval(mins => ${param('minutes')}) from used
      returning id, user_id, token_id, reason, patient_ref, created_at, expires_at
    ), audited as (
      ${auditInsert(
        {
          action: 'token.validated',
          actorId,
          ip: param('ip'),
          subjectUserId: actorId,
          tokenId: sql`opened.token_id`,
          grantId: sql`opened.id`,
          details: sql`${param('details')}::jsonb`,
        },
        opened,
      )}
    )${queue ? sql`, queued as (${queue} returning id)` : sql``},
    stock as (${stockAfterUse}), ${alert.ctes}
    select opened.*,
           ${eventPayload({ type: 'token.used', userId: sql`opened.user_id`, tokenId: sql`opened.token_id` })} as used_event,
           ${eventPayload({ type: 'grant.opened', userId: sql`opened.user_id`, grantId: sql`opened.id`, tokenId: sql`opened.token_id` })} as opened_event,
           (select ${eventPayload(alert.event)} from stock_alerted) as stock_event
           ${queue ? sql`, exists (select 1 from queued) as queued` : sql``}
           ${alert.queued ? sql`, exists (select 1 from stock_queued) as stock_queued` : sql``}
    from opened, used`;
});

/** The grant a validation just opened (or re-found), from the columns the hot statements return. */
interface OpenGrantRow {
  id: string;
  user_id: string;
  token_id: string;
  reason: string;
  patient_ref: string | null;
  created_at: Date | string;
  expires_at: Date | string;
}

function openGrantView(row: OpenGrantRow): GrantView {
  return presentGrant(
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
}

/** How recent a use of the caller's own token must be for a repeat to count as a double tap. */
export const DOUBLE_TAP_SECONDS = 10;

/**
 * A double-tapped Validate: the caller used this very token in the last few seconds and the session it
 * opened is still open. That is no failed attempt: the answer is the open session (audited as a repeat).
 */
async function repeatOfOwnUse(ctx: Ctx, actor: Actor, hashes: string[]): Promise<GrantView | null> {
  const [row] = await ctx.database.prepared<OpenGrantRow>(
    new Statement(
      'validate_repeat',
      sql`select grants.id, grants.user_id, grants.token_id, grants.reason, grants.patient_ref, grants.created_at, grants.expires_at
        from tokens join grants on grants.token_id = tokens.id
        where tokens.hash in (${sql.join(
          hashes.map((h) => sql`${h}`),
          sql`, `,
        )}) and tokens.status = 'used' and tokens.used_by = ${actor.id}
          and tokens.used_at > now() - make_interval(secs => ${DOUBLE_TAP_SECONDS})
          and ${activeGrantOf(actor.id)}
        limit 1`,
    ),
  );
  if (!row) return null;
  await ctx.database.prepared(
    new Statement(
      'validate_repeat_audit',
      auditInsert({
        action: 'token.validated',
        ...auditFor(actor),
        subjectUserId: actor.id,
        tokenId: row.token_id,
        grantId: row.id,
        details: { repeat: true },
      }),
    ),
  );
  return openGrantView(row);
}

/** What the miss statement reports: the lockout already running, or how this miss was counted. */
interface MissRow {
  retry_after: number | null;
  code: ValidateFailureCode;
  token_id: string | null;
  failures: number | null;
  locked_until: Date | string | null;
}

/**
 * A miss, under the caller's attempt lock, as one prepared statement: while a lockout runs, audit the
 * refused attempt (429); otherwise say why only for the caller's own tokens (anything else is just
 * invalid), count the failure and audit it. The failure that starts a lockout then audits, announces and
 * queues the lockout (rare, so plain statements) in the same transaction.
 */
async function missAnswer(ctx: Ctx, tx: Tx, actor: Actor, hashes: string[]): Promise<DomainError> {
  const key = validationKey(actor.id);
  const limit = ctx.config.lockout.attempts;
  const [row] = await ctx.database.prepared<MissRow>(
    new Statement(
      'validate_miss',
      sql`with locked as (
          select ceil(extract(epoch from (locked_until - now())))::int as seconds from attempt_counters where ${lockedKey(key)}
        ), own as (
          select ${tokens.id} as id, ${tokens.status} as status, ${effectiveTokenStatusSql()} as effective from ${tokens}
          where ${tokens.userId} = ${actor.id} and ${tokens.hash} in (${sql.join(
            hashes.map((h) => sql`${h}`),
            sql`, `,
          )})
          order by ${tokens.createdAt} desc limit 1
        ), miss as (
          select case when own.status = 'used' then 'token_used'
                      when own.effective = 'expired' then 'token_expired'
                      else 'token_invalid' end as code,
                 own.id as own_id
          from (select 1) one left join own on true
        ), counted as (
          ${failureUpsert(key, limit, ctx.config.lockout.minutes, sql`not exists (select 1 from locked)`)}
        ), refused as (
          ${auditInsert(
            {
              action: 'token.validated',
              outcome: 'failure',
              ...auditFor(actor),
              subjectUserId: actor.id,
              details: { code: 'too_many_attempts' },
            },
            sql`locked`,
          )}
        ), audited as (
          ${auditInsert(
            {
              action: 'token.validated',
              outcome: 'failure',
              ...auditFor(actor),
              subjectUserId: actor.id,
              tokenId: sql`case when miss.code <> 'token_invalid' then miss.own_id end`,
              details: { code: sql`to_jsonb(miss.code)`, attemptsLeft: sql`to_jsonb(greatest(0, ${limit}::int - coalesce(counted.failures, ${limit}::int)))` },
            },
            sql`miss left join counted on true where not exists (select 1 from locked)`,
          )}
        )
        select (select seconds from locked) as retry_after, miss.code, miss.own_id as token_id, counted.failures, counted.locked_until
        from miss left join counted on true`,
    ),
    tx,
  );
  if (!row) throw new Error('the miss statement returned no row');
  if (row.retry_after !== null) {
    return new DomainError('too_many_attempts', 'Too many failed attempts. Validation is locked for a while.', {
      retryAfterSeconds: Math.max(1, row.retry_after),
    });
  }
  const failure = failureOutcome(row.failures === null ? undefined : { failures: row.failures, locked_until: row.locked_until }, limit);
  if (failure.lockedUntil) {
    const lockedUntil = failure.lockedUntil.toISOString();
    await audit(tx, {
      action: 'lockout',
      ...auditFor(actor),
      subjectUserId: actor.id,
      details: { scope: 'validation', lockedUntil, failures: failure.failures },
    });
    await publish(tx, { type: 'lockout', userId: actor.id, lockedUntil });
    await enqueue(ctx, tx, { kind: 'lockout', payload: { userId: actor.id, lockedUntil } });
  }
  const messages: Record<ValidateFailureCode, string> = {
    token_invalid: 'This token is not valid.',
    token_used: 'This token has already been used.',
    token_expired: 'This token has expired.',
  };
  return new DomainError(row.code, messages[row.code], {
    attemptsLeft: failure.attemptsLeft,
    ...(failure.lockedUntil && { lockedUntil: failure.lockedUntil.toISOString() }),
  });
}
