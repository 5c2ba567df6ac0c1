import { sql } from 'drizzle-orm';
import { bigint, index, inet, jsonb, pgEnum, pgTable, smallint, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, bytea } from './columns';

export const outcomes = ['success', 'failure'] as const;
export const outcomeEnum = pgEnum('audit_outcome', outcomes);

// Append-only: a trigger (migration 0001) refuses UPDATE and DELETE. No foreign keys, so the trail
// outlives whatever it speaks of. Tamper-evident: a BEFORE INSERT trigger (migration 0013) places every
// event on one of the hash chains (audit_chain_heads) and sets chain, chain_seq, prev_hash and hash, so
// every writer is covered (domain, CLI, raw SQL). The column defaults mark a row the trigger never saw
// (it always overwrites them); the verifier (api/domain/audit-verify.ts) reports such a row.
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
    chain: smallint('chain').notNull().default(-1),
    chainSeq: bigint('chain_seq', { mode: 'number' }).notNull().default(0),
    prevHash: bytea('prev_hash')
      .notNull()
      .default(sql`'\\x'::bytea`),
    hash: bytea('hash')
      .notNull()
      .default(sql`'\\x'::bytea`),
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
    // The verifier walks each chain in order; the trigger makes a position unique.
    uniqueIndex('audit_chain_seq_idx').on(t.chain, t.chainSeq),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
export type Outcome = (typeof outcomes)[number];
