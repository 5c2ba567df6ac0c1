// Signed checkpoints of the audit chains. Each records every chain's head (seq, hash, event id) with an
// HMAC-SHA256 under AUDIT_CHECKPOINT_KEY, a key the database does not hold, and the MAC of the checkpoint
// before it. Someone who can write the database can recompute a chain's tail and its head row, but not a
// checkpoint: the verifier then finds the events a checkpoint recorded changed. Taking one reads the heads
// as committed (no lock the bedside path needs); a copy can go to a file outside the database.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { desc, sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import { auditCheckpoints, type AuditCheckpoint, type CheckpointHead } from '../../db/schema';
import type { Config } from '../config';
import { chainHeads } from './audit-chain';
import type { Ctx } from './context';
import { secretKey } from './crypto';

// Any constant: one checkpoint at a time across instances (the next links to the one before).
const CHECKPOINT_LOCK = 7_341_011;

type KeyConfig = Pick<Config['auditCheckpoint'], 'key'>;

/** A one-way name of the checkpoint key (never the key): which key signed a checkpoint. */
export const checkpointKeyId = (c: KeyConfig) => createHash('sha256').update('emergency-token checkpoint key id\0').update(c.key).digest('hex').slice(0, 16);

/**
 * The key a checkpoint names as its signer, among AUDIT_CHECKPOINT_KEY ('current') and the keys before a
 * rotation ('previous'); undefined when this server has none of them (the checkpoint cannot be checked).
 */
export function signingKey(
  c: Pick<Config['auditCheckpoint'], 'key' | 'previousKeys'>,
  keyId: string,
): { key: Buffer; which: 'current' | 'previous' } | undefined {
  if (checkpointKeyId(c) === keyId) return { key: c.key, which: 'current' };
  const key = c.previousKeys.find((k) => checkpointKeyId({ key: k }) === keyId);
  return key && { key, which: 'previous' };
}

/** The signed text: every field but the MAC, in a fixed order. */
export function checkpointMac(c: KeyConfig, cp: { at: Date; keyId: string; prevMac: string | null; heads: CheckpointHead[] }): string {
  const text = JSON.stringify(['et-checkpoint-v1', cp.at.toISOString(), cp.keyId, cp.prevMac, cp.heads.map((h) => [h.chain, h.seq, h.hash, h.eventId])]);
  return createHmac('sha256', secretKey(c.key)).update(text).digest('hex');
}

export function macMatches(c: KeyConfig, cp: AuditCheckpoint): boolean {
  const expected = Buffer.from(checkpointMac(c, cp), 'hex');
  const actual = Buffer.from(cp.mac, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function presentCheckpoint(cp: AuditCheckpoint) {
  return { id: cp.id, at: cp.at.toISOString(), keyId: cp.keyId, chains: cp.heads.length, events: cp.heads.reduce((n, h) => n + Number(h.seq), 0), mac: cp.mac };
}
export type CheckpointView = ReturnType<typeof presentCheckpoint>;

/**
 * Take a checkpoint now, unless no chain moved since the last one (then that one is returned with
 * `taken: false`). Appends it to AUDIT_CHECKPOINT_FILE when one is configured.
 */
export async function takeCheckpoint(ctx: Ctx): Promise<{ checkpoint: CheckpointView; taken: boolean }> {
  const cfg = ctx.config.auditCheckpoint;
  const result = await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK})`);
    const [last] = await tx.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.id)).limit(1);
    const heads: CheckpointHead[] = (await chainHeads(tx)).map((h) => ({ chain: h.chain, seq: String(h.seq), hash: h.hash, eventId: h.eventId }));
    if (last && sameHeads(last.heads, heads)) return { row: last, taken: false };
    const at = new Date();
    const keyId = checkpointKeyId(cfg);
    const prevMac = last?.mac ?? null;
    const mac = checkpointMac(cfg, { at, keyId, prevMac, heads });
    const [row] = await tx.insert(auditCheckpoints).values({ at, heads, prevMac, keyId, mac }).returning();
    return { row: row!, taken: true };
  });
  if (result.taken && cfg.file) await appendFile(cfg.file, JSON.stringify(result.row) + '\n', { mode: 0o600 });
  return { checkpoint: presentCheckpoint(result.row), taken: result.taken };
}

const sameHeads = (a: CheckpointHead[], b: CheckpointHead[]) =>
  a.length === b.length && a.every((h, i) => h.chain === b[i]!.chain && h.seq === b[i]!.seq && h.hash === b[i]!.hash);

export async function lastCheckpoint(ctx: Ctx): Promise<CheckpointView | null> {
  const [last] = await ctx.db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.id)).limit(1);
  return last ? presentCheckpoint(last) : null;
}

/** Checkpoints in id order, a page at a time (they are few, but a year of hourly ones is 8,760). */
export async function* checkpointPages(ctx: Ctx, size = 500): AsyncGenerator<AuditCheckpoint[]> {
  let after = 0;
  for (;;) {
    const page = await ctx.db
      .select()
      .from(auditCheckpoints)
      .where(sql`${auditCheckpoints.id} > ${after}`)
      .orderBy(auditCheckpoints.id)
      .limit(size);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.id;
    if (page.length < size) return;
  }
}

/** Heads a checkpoint recorded that no longer match the event at that place (missing or other hash). */
export async function checkpointMismatches(ctx: Ctx, fromId: number, toId: number) {
  return rows<{
    checkpoint_id: string | number;
    chain: number;
    seq: string;
    hash: string;
    event_id: string | null;
    actual: string | null;
    recorded_event_id: string | null;
  }>(
    ctx.db,
    sql`select c.id as checkpoint_id, h.chain, h.seq, h.hash, e.id::text as event_id, encode(e.hash, 'hex') as actual, h."eventId" as recorded_event_id
        from audit_checkpoints c
        cross join jsonb_to_recordset(c.heads) as h(chain int, seq text, hash text, "eventId" text)
        left join audit_events e on e.chain = h.chain and e.chain_seq = h.seq::bigint
        where c.id between ${fromId} and ${toId} and h.seq::bigint > 0 and (e.id is null or encode(e.hash, 'hex') <> h.hash)
        order by c.id, h.chain`,
  );
}
