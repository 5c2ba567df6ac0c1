// Failed-attempt counting and the lockouts it earns, kept in the database (attempt_counters) so the
// limits hold across instances and restarts.
//
// The window slides: a key is locked when `limit` failures fall within the last `minutes`, whatever
// happened in between. A success does not clear earlier failures (the contract counts "5 failed
// validations in 15 minutes", not 5 in a row). A lockout lasts `minutes` and empties the window, so the
// key starts afresh when it ends.
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';
import type { Ctx } from './context';
import { lockedKey } from './sql/lockout';

export interface AttemptRule {
  key: string;
  /** Failures within the window that lock the key. */
  limit: number;
  /** Length of the window and of the lockout. */
  minutes: number;
}

/**
 * Serialise attempts on one key for the rest of the transaction (a transaction-scoped advisory lock), so
 * parallel guesses are counted one after another and cannot all slip past the lock check together.
 */
export async function serializeAttempts(ex: Executor, key: string): Promise<void> {
  await ex.execute(attemptLock(key));
}

/** The statement serializeAttempts runs (the validation miss path runs it prepared). */
export const attemptLock = (key: string): SQL => sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`;

/** Seconds until the key may try again, or 0 when it is not locked. */
export async function lockedFor(ex: Executor, key: string): Promise<number> {
  const lock = await lockState(ex, key);
  return lock?.retryAfterSeconds ?? 0;
}

/** The key's lockout, if it is locked now. */
export async function lockState(ex: Executor, key: string): Promise<{ lockedUntil: Date; retryAfterSeconds: number } | null> {
  const [row] = await rows<{ locked_until: Date | string; seconds: number }>(
    ex,
    sql`select locked_until, ceil(extract(epoch from (locked_until - now())))::int as seconds
        from attempt_counters where ${lockedKey(key)}`,
  );
  return row ? { lockedUntil: new Date(row.locked_until), retryAfterSeconds: Math.max(1, row.seconds) } : null;
}

export interface FailureOutcome {
  /** Failures inside the window, this one included. */
  failures: number;
  attemptsLeft: number;
  /** Set when this very failure started a lockout. */
  lockedUntil: Date | null;
}

// The failures still inside the window (a SQL expression over the row `c`).
const inWindow = (minutes: number) =>
  sql`array(select t from unnest(c.failed_at) t where t > clock_timestamp() - make_interval(mins => ${minutes}) order by t)`;

/**
 * The statement that counts one failure atomically (the row lock of the upsert orders concurrent
 * failures); the failure that fills the window locks the key. A key that is already locked is not
 * counted again (no row is returned). `onlyIf` (optional) is a further condition for counting at all,
 * for a caller that composes this into a larger statement. Returns (failures, locked_until).
 */
export function failureUpsert(key: string, limit: number, minutes: number, onlyIf?: SQL): SQL {
  return sql`insert into attempt_counters as c (key, failed_at, locked_until)
        select ${key}::text, case when ${limit} <= 1 then '{}'::timestamptz[] else array[clock_timestamp()] end,
               case when ${limit} <= 1 then clock_timestamp() + make_interval(mins => ${minutes}) end${onlyIf ? sql` where ${onlyIf}` : sql``}
        on conflict (key) do update set
          failed_at = case when cardinality(${inWindow(minutes)}) + 1 >= ${limit} then '{}' else ${inWindow(minutes)} || clock_timestamp() end,
          locked_until = case when cardinality(${inWindow(minutes)}) + 1 >= ${limit} then clock_timestamp() + make_interval(mins => ${minutes}) end
        where c.locked_until is null or c.locked_until <= clock_timestamp()
        returning case when locked_until is null then cardinality(failed_at) else ${limit}::int end as failures, locked_until`;
}

/** Count one failure (failureUpsert) and say where the key stands. */
export async function recordFailure(ctx: Ctx, ex: Executor, key: string, rule: Partial<Omit<AttemptRule, 'key'>> = {}): Promise<FailureOutcome> {
  const limit = rule.limit ?? ctx.config.lockout.attempts;
  const minutes = rule.minutes ?? ctx.config.lockout.minutes;
  const [row] = await rows<{ failures: number; locked_until: Date | string | null }>(ex, failureUpsert(key, limit, minutes));
  return failureOutcome(row, limit);
}

/** A failure count as the caller sees it; no row means the key was locked already (counted before). */
export function failureOutcome(row: { failures: number; locked_until: Date | string | null } | undefined, limit: number): FailureOutcome {
  if (!row) return { failures: limit, attemptsLeft: 0, lockedUntil: null };
  const lockedUntil = row.locked_until ? new Date(row.locked_until) : null;
  return { failures: row.failures, attemptsLeft: Math.max(0, limit - row.failures), lockedUntil };
}

/**
 * Count an attempt before its outcome is known (a password check takes a while and holds nothing), so
 * parallel attempts cannot exceed the limit: at most `limit` are in the window, failed or pending.
 * Returns the reservation to release if the attempt succeeds, or the seconds to wait.
 */
export async function reserveAttempt(ex: Executor, rule: AttemptRule): Promise<{ reservation: string } | { retryAfterSeconds: number }> {
  const [row] = await rows<{ reservation: string }>(
    ex,
    sql`insert into attempt_counters as c (key, failed_at) values (${rule.key}, array[clock_timestamp()])
        on conflict (key) do update set failed_at = ${inWindow(rule.minutes)} || clock_timestamp(), locked_until = null
        where (c.locked_until is null or c.locked_until <= clock_timestamp()) and cardinality(${inWindow(rule.minutes)}) < ${rule.limit}
        returning failed_at[cardinality(failed_at)]::text as reservation`,
  );
  if (row) return { reservation: row.reservation };
  // Locked, or the window is full of failures and attempts still being checked: wait for the lock to
  // end or for the oldest to leave the window.
  const [wait] = await rows<{ seconds: number | null }>(
    ex,
    sql`select ceil(extract(epoch from (greatest(c.locked_until, (select min(t) from unnest(c.failed_at) t) + make_interval(mins => ${rule.minutes})) - now())))::int as seconds
        from attempt_counters c where key = ${rule.key}`,
  );
  return { retryAfterSeconds: Math.max(1, wait?.seconds ?? 1) };
}

/** The attempt succeeded: it was no failure after all. */
export async function releaseAttempt(ex: Executor, key: string, reservation: string): Promise<void> {
  await ex.execute(sql`update attempt_counters set failed_at = array_remove(failed_at, ${reservation}::timestamptz) where key = ${key}`);
}

/** The reserved attempt failed: it stays counted, and locks the key if the window is full. */
export async function confirmFailure(ex: Executor, rule: AttemptRule): Promise<FailureOutcome> {
  const [row] = await rows<{ failures: number; locked_until: Date | string | null }>(
    ex,
    sql`update attempt_counters c set
          failed_at = case when cardinality(${inWindow(rule.minutes)}) >= ${rule.limit} then '{}' else ${inWindow(rule.minutes)} end,
          locked_until = case when cardinality(${inWindow(rule.minutes)}) >= ${rule.limit} then clock_timestamp() + make_interval(mins => ${rule.minutes}) end
        where key = ${rule.key} and (c.locked_until is null or c.locked_until <= clock_timestamp())
        returning case when locked_until is null then cardinality(failed_at) else ${rule.limit}::int end as failures, locked_until`,
  );
  if (!row) return { failures: rule.limit, attemptsLeft: 0, lockedUntil: null };
  const lockedUntil = row.locked_until ? new Date(row.locked_until) : null;
  return { failures: row.failures, attemptsLeft: Math.max(0, rule.limit - row.failures), lockedUntil };
}

export const validationKey = (userId: string) => `validate:${userId}`;

/** Whether the user is locked out of validation now, and until when (for GET /me and the PWA). */
export const validationLock = (ex: Executor, userId: string) => lockState(ex, validationKey(userId));
