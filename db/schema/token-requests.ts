import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id } from './columns';
import { users } from './users';

export const requestStatuses = ['pending', 'approved', 'rejected', 'expired'] as const;
export const requestStatusEnum = pgEnum('request_status', requestStatuses);

export const tokenRequests = pgTable(
  'token_requests',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    quantity: integer('quantity').notNull(),
    reason: text('reason'),
    status: requestStatusEnum('status').notNull().default('pending'),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: at('decided_at'),
    decisionNote: text('decision_note'),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
    // Where the admin-channel message lives, so any instance can update it in place.
    slackChannel: text('slack_channel'),
    slackTs: text('slack_ts'),
    // Reminders already posted in the message's thread while pending, and whether the last call went out.
    remindersSent: integer('reminders_sent').notNull().default(0),
    lastCallSent: boolean('last_call_sent').notNull().default(false),
  },
  (t) => [
    index('token_requests_status_created_idx').on(t.status, t.createdAt, t.id),
    index('token_requests_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('token_requests_pending_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

export type TokenRequest = typeof tokenRequests.$inferSelect;
export type RequestStatus = (typeof requestStatuses)[number];
