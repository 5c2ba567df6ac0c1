import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt } from './columns';

export const outboxStatuses = ['pending', 'sent', 'dead'] as const;
export const outboxStatusEnum = pgEnum('outbox_status', outboxStatuses);

// Messages that must reach somewhere outside (Slack today), written in the transaction of the change they
// announce and delivered afterwards by the outbox worker (api/domain/outbox.ts): a worker leases a row,
// commits, calls out holding no transaction or connection, then records the outcome.
export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // Who delivers it ('slack'); a new destination registers its own deliverer, the worker is unchanged.
    destination: text('destination').notNull().default('slack'),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    // Rows with the same key are delivered in id order (a request's post before its update and thread
    // replies; one person's DMs in turn); rows without a key in any order.
    orderingKey: text('ordering_key'),
    createdAt: createdAt(),
    status: outboxStatusEnum('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull().defaultNow(),
    // Held by a worker until then (its claim); a lease that ran out means the worker died or hung mid-way.
    leaseUntil: at('lease_until'),
    leaseId: uuid('lease_id'),
    // What a delivery has already done, committed step by step (e.g. "sending these sealed tokens"), so a
    // retry after a crash knows whether a message that must not be repeated may have gone out.
    progress: jsonb('progress').$type<Record<string, unknown>>(),
    sentAt: at('sent_at'),
    lastError: text('last_error'),
    // A dead letter: what the destination called permanent (e.g. not_in_channel), kept for admins to
    // see and retry.
    deadAt: at('dead_at'),
    deadReason: text('dead_reason'),
    // The HTTP request that caused the message (X-Request-Id), so each Slack call made for it can be
    // traced back to that request in the logs. Null for work no request started (sweep, the bot).
    requestId: text('request_id'),
  },
  (t) => [
    // The worker's claim: due pending rows of a destination, oldest first.
    index('outbox_due_idx')
      .on(t.destination, t.nextAttemptAt, t.id)
      .where(sql`${t.status} = 'pending'`),
    // "Is an earlier row of this key still pending?" for in-order delivery per key.
    index('outbox_pending_key_idx')
      .on(t.orderingKey, t.id)
      .where(sql`${t.status} = 'pending'`),
    // Admins' dead-letter list, newest first.
    index('outbox_dead_idx')
      .on(t.deadAt, t.id)
      .where(sql`${t.status} = 'dead'`),
  ],
);

export type OutboxRow = typeof outbox.$inferSelect;
export type OutboxStatus = (typeof outboxStatuses)[number];
