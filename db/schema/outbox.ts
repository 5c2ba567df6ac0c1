import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at, createdAt } from './columns';

// Messages that must reach Slack, written in the transaction of the change they announce and
// delivered by the outbox worker (at least once, in id order, with backoff).
export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull().defaultNow(),
    sentAt: at('sent_at'),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_due_idx').on(t.nextAttemptAt, t.id).where(sql`${t.sentAt} is null`)],
);

export type OutboxRow = typeof outbox.$inferSelect;
