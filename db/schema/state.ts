// Counters and flags the rules need, kept in the database so they hold across instances and restarts.
import { boolean, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt } from './columns';
import { users } from './users';

// Failed attempts per key ("validate:<userId>", "login:<username>") within a sliding window, and the
// lockout they earn.
export const attemptCounters = pgTable('attempt_counters', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: at('window_started_at').notNull().defaultNow(),
  lockedUntil: at('locked_until'),
});

// Whether the user has been told their stock is low since it last crossed the threshold.
export const stockAlerts = pgTable('stock_alerts', {
  userId: uuid('user_id').primaryKey().references(() => users.id, { onDelete: 'cascade' }),
  alerted: boolean('alerted').notNull().default(false),
  changedAt: at('changed_at').notNull().defaultNow(),
});

// Slack requests already handled, keyed by a digest of the signed body, so a retry never acts twice.
export const slackReceipts = pgTable('slack_receipts', {
  key: text('key').primaryKey(),
  receivedAt: createdAt(),
});
