// The head of each audit hash chain: the last event placed on it (its position and hash). The chain
// trigger (migration 0013) locks one head row per transaction that writes audit events, so writers on
// different chains never wait for each other, and the order on one chain is its commit order (the row
// lock is held to commit). The row trigger moves the head with a transaction's first events, the statement
// trigger with the rest (migration 0022). Migration 0013 creates 64 chains; more rows here means more chains.
import { sql } from 'drizzle-orm';
import { bigint, pgTable, smallint } from 'drizzle-orm/pg-core';
import { at, bytea } from './columns';

export const auditChainHeads = pgTable('audit_chain_heads', {
  chain: smallint('chain').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull().default(0),
  // The genesis hash (32 zero bytes) until the first event.
  hash: bytea('hash')
    .notNull()
    .default(sql`'\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea`),
  eventId: bigint('event_id', { mode: 'bigint' }),
  at: at('at'),
});

export type AuditChainHead = typeof auditChainHeads.$inferSelect;
