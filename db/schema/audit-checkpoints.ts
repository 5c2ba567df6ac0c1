// Signed checkpoints of the audit chains: every chain's head (seq, hash, event id) at one moment, with an
// HMAC-SHA256 under a key the database does not hold (AUDIT_CHECKPOINT_KEY), each linked to the one
// before by its MAC. A rewrite of a chain's tail (events and head row recomputed) no longer matches the
// hashes a checkpoint recorded, and a checkpoint cannot be forged without the key. Append-only like the
// trail itself (migration 0013).
import { bigint, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at } from './columns';

/** One chain's head as a checkpoint records it; numbers as text so 64-bit values survive JSON. */
export interface CheckpointHead {
  chain: number;
  seq: string;
  hash: string;
  eventId: string | null;
}

export const auditCheckpoints = pgTable('audit_checkpoints', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: at('at').notNull(),
  heads: jsonb('heads').$type<CheckpointHead[]>().notNull(),
  // The MAC of the checkpoint before (null for the first): deleting or reordering one breaks the link.
  prevMac: text('prev_mac'),
  // Which key signed it (a one-way name of the key, never the key).
  keyId: text('key_id').notNull(),
  mac: text('mac').notNull(),
});

export type AuditCheckpoint = typeof auditCheckpoints.$inferSelect;
