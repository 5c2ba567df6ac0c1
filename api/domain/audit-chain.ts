// The audit hash chains as the verifier reads them: the canonical text of an event (the same text the
// chain trigger of migration 0013 hashes, built here from the columns on its own, so a trigger function
// swapped by someone with owner rights cannot make the verifier agree with it), and the chains' heads.
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';

/** prev_hash of the first event on every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The canonical text of the event row `e` (an alias in the query): a JSON array in Postgres's own jsonb
 * text form (sorted keys, fixed spacing, exact numbers), ending with prev_hash. Hash: SHA-256 of its UTF-8.
 */
export const auditCanonicalSql = (e: string): SQL =>
  sql.raw(
    `jsonb_build_array('et-audit-v1', ${e}.chain, ${e}.chain_seq, ${e}.id, ` +
      `to_char(${e}.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ${e}.action, ${e}.outcome, ${e}.actor_id, ` +
      `${e}.subject_user_id, ${e}.token_id, ${e}.request_id, ${e}.grant_id, ${e}.ip, ${e}.details, encode(${e}.prev_hash, 'hex'))::text`,
  );

/** The hash the event row `e` must carry. */
export const auditHashSql = (e: string): SQL => sql`sha256(convert_to(${auditCanonicalSql(e)}, 'UTF8'))`;

export interface ChainHead {
  chain: number;
  seq: number;
  hash: string;
  eventId: string | null;
  at: string | null;
}

/** Every chain's head, read in one statement (one snapshot: each head is a committed state). */
export async function chainHeads(ex: Executor): Promise<ChainHead[]> {
  const heads = await rows<{ chain: number; seq: string | number; hash: string; event_id: string | number | null; at: Date | string | null }>(
    ex,
    sql`select chain, seq, encode(hash, 'hex') as hash, event_id, at from audit_chain_heads order by chain`,
  );
  return heads.map((h) => ({
    chain: Number(h.chain),
    seq: Number(h.seq),
    hash: h.hash,
    eventId: h.event_id === null ? null : String(h.event_id),
    at: h.at === null ? null : new Date(h.at).toISOString(),
  }));
}
