// Failed attempts per key ("validate:<userId>", "login:<username>") within a sliding window, and the
// lockout they earn; kept in the database so they hold across instances and restarts.
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { at } from './columns';

export const attemptCounters = pgTable('attempt_counters', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: at('window_started_at').notNull().defaultNow(),
  lockedUntil: at('locked_until'),
});
