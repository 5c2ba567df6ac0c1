import { bigint, index, inet, jsonb, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns';

export const outcomes = ['success', 'failure'] as const;
export const outcomeEnum = pgEnum('audit_outcome', outcomes);

// Append-only: a trigger (migration 0001) refuses UPDATE and DELETE. No foreign keys, so the trail
// outlives whatever it speaks of.
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
    at: at('at').notNull().defaultNow(),
    action: text('action').notNull(),
    outcome: outcomeEnum('outcome').notNull(),
    actorId: uuid('actor_id'),
    subjectUserId: uuid('subject_user_id'),
    tokenId: uuid('token_id'),
    requestId: uuid('request_id'),
    grantId: uuid('grant_id'),
    ip: inet('ip'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    // Every audit query is "newest first" by (at, id), optionally narrowed by one filter: one index each,
    // so any first page or cursor page is an index range scan, never a sort of the table.
    index('audit_at_idx').on(t.at, t.id),
    // Migration 0006 rebuilds this one with INCLUDE (outcome, actor_id) (drizzle cannot say INCLUDE): the
    // monitoring series (validations and requests per day and hour, top users) are then index-only
    // scans of one range per action, with no extra index for the bedside path to write.
    index('audit_action_at_idx').on(t.action, t.at, t.id),
    index('audit_outcome_at_idx').on(t.outcome, t.at, t.id),
    index('audit_actor_at_idx').on(t.actorId, t.at, t.id),
    index('audit_subject_at_idx').on(t.subjectUserId, t.at, t.id),
    index('audit_token_idx').on(t.tokenId),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
export type Outcome = (typeof outcomes)[number];
