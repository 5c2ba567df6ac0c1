import { sql } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { at } from './columns';

// Failed attempts per key within a sliding window, and the lockout they earn (api/domain/lockout.ts).
// Keys: "validate:<userId>"; for sign-in "login:<username>|<address>" (one client guessing one account),
// "login-user:<username>" and "login-ip:<address>" (the far higher ceilings). `failed_at` holds the times
// of the failures still inside the window; a lockout empties it. Kept in the database so the limits hold
// across instances and restarts.
export const attemptCounters = pgTable('attempt_counters', {
  key: text('key').primaryKey(),
  failedAt: at('failed_at')
    .array()
    .notNull()
    .default(sql`'{}'`),
  lockedUntil: at('locked_until'),
});
