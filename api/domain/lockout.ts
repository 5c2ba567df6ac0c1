// Failed-attempt counters and the lockouts they earn, kept in the database (attempt_counters) so the
// limits hold across instances and restarts.
import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';
import type { Ctx } from './context';

/**
 * Serialise attempts on one key for the rest of the transaction (a transaction-scoped advisory lock), so
 * parallel guesses are counted one after another and cannot all slip past the lock check together.
 */
export async function serializeAttempts(ex: Executor, key: string): Promise<void> {
  await ex.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

/** Seconds until the key may try again, or 0 when it is not locked. */
export async function lockedFor(ex: Executor, key: string): Promise<number> {
  const [row] = await rows<{ seconds: number }>(
    ex,
    sql`select ceil(extract(epoch from (locked_until - now())))::int as seconds
        from attempt_counters where key = ${key} and locked_until > now()`,
  );
  return row ? Math.max(1, row.seconds) : 0;
}

export interface FailureOutcome {
  failures: number;
  attemptsLeft: number;
  /** Set when this very failure started a lockout. */
  lockedUntil: Date | null;
}

/**
 * Count one failure atomically. The window restarts when the last one began more than LOCKOUT_MINUTES
 * ago; reaching LOCKOUT_ATTEMPTS inside it locks the key for LOCKOUT_MINUTES.
 */
export async function recordFailure(ctx: Ctx, ex: Executor, key: string): Promise<FailureOutcome> {
  const { attempts, minutes } = ctx.config.lockout;
  const [row] = await rows<{ failures: number }>(
    ex,
    sql`insert into attempt_counters as c (key, failures, window_started_at)
        values (${key}, 1, now())
        on conflict (key) do update set
          failures = case when c.window_started_at < now() - make_interval(mins => ${minutes}) or c.locked_until <= now()
                          then 1 else c.failures + 1 end,
          window_started_at = case when c.window_started_at < now() - make_interval(mins => ${minutes}) or c.locked_until <= now()
                                   then now() else c.window_started_at end,
          locked_until = case when c.locked_until <= now() then null else c.locked_until end
        returning failures`,
  );
  const failures = row?.failures ?? 1;
  if (failures >= attempts) {
    const [locked] = await rows<{ locked_until: Date | string }>(
      ex,
      sql`update attempt_counters set locked_until = now() + make_interval(mins => ${minutes})
          where key = ${key} and locked_until is null returning locked_until`,
    );
    return { failures, attemptsLeft: 0, lockedUntil: locked ? new Date(locked.locked_until) : null };
  }
  return { failures, attemptsLeft: attempts - failures, lockedUntil: null };
}

/** A success ends the run of failures. */
export async function resetFailures(ex: Executor, key: string): Promise<void> {
  await ex.execute(sql`delete from attempt_counters where key = ${key} and (locked_until is null or locked_until <= now())`);
}

export const validationKey = (userId: string) => `validate:${userId}`;
export const loginKey = (username: string) => `login:${username.trim().toLowerCase()}`;
