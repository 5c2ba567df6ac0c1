// Verifying the audit trail: every chain walked in keyset batches (each event's hash recomputed from its
// columns and its link to the event before checked, in SQL, so only broken rows and each batch's last row
// come back), the heads checked against the chains' ends, events outside any chain found, and every signed
// checkpoint checked (its MAC, its link to the one before, and that the events it recorded are unchanged).
// A run is recorded as an audit event (`audit.verified`), which is also where the last result is read from.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { and, desc, eq, sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import { auditEvents, type AuditCheckpoint } from '../../db/schema';
import { auditHashSql, GENESIS_HASH } from './audit-chain';
import { checkpointKeyId, checkpointMismatches, checkpointPages, lastCheckpoint, macMatches, signingKey, type CheckpointView } from './audit-checkpoints';
import { audit, auditFor, presentAudit } from './audit';
import { atLeast, requireAdmin, type Actor, type Ctx } from './context';
import { fail } from './errors';

export const breakKinds = [
  // an event on no chain (written with the chain trigger off)
  'unchained',
  // an event whose columns no longer give its hash (changed)
  'hash_mismatch',
  // an event whose prev_hash is not the hash of the event before it (one inserted or replaced before it)
  'link_broken',
  // events missing from a chain (deleted): before this event, or at the chain's end
  'missing',
  // an event past its chain's head (appended with the trigger off)
  'beyond_head',
  // a head whose hash is not that of the event at its place
  'head_mismatch',
  // a checkpoint whose MAC does not verify (forged or altered)
  'checkpoint_signature',
  // a checkpoint that does not link to the one before it (one deleted or reordered)
  'checkpoint_link',
  // an event a checkpoint recorded that changed since (the chain was recomputed up to here)
  'checkpoint_mismatch',
  // a checkpoint in AUDIT_CHECKPOINT_FILE that the database no longer has (or has altered)
  'checkpoint_missing',
  // a checkpoint signed with a key this server does not have: it cannot be checked
  'checkpoint_key_unknown',
] as const;
export type BreakKind = (typeof breakKinds)[number];

export interface Break {
  kind: BreakKind;
  /** The event where the break shows (for a deletion: the one after the gap, or the missing head). */
  eventId: string | null;
  chain: number | null;
  seq: number | null;
  checkpointId: number | null;
  message: string;
}

export interface VerifyOptions {
  from?: Date | undefined;
  to?: Date | undefined;
  /** Events per query (keyset batches on one chain). */
  batchSize?: number;
  /** Chains walked at once (connections used); 1 on PGlite, which runs one query at a time anyway. */
  concurrency?: number;
}

export interface VerifyReport {
  ok: boolean;
  from: string | null;
  to: string | null;
  startedAt: string;
  durationMs: number;
  /** Events whose hash and link were checked. */
  events: number;
  chains: number;
  checkpoints: number;
  /** Which keys signed the checkpoints: the current AUDIT_CHECKPOINT_KEY, a previous one, or one this server does not have. */
  checkpointKeys: CheckpointKeyUse[];
  lastCheckpoint: CheckpointView | null;
  /** How many breaks were found (all of them; `problems` lists the first ones). */
  breaks: number;
  firstBreak: Break | null;
  problems: Break[];
}

const MAX_LISTED = 20;

export interface CheckpointKeyUse {
  keyId: string;
  key: 'current' | 'previous' | 'unknown';
  checkpoints: number;
}

interface HeadState {
  chain: number;
  seq: number;
  hash: string;
  event_id: string | null;
  at_head_hash: string | null;
  beyond_id: string | null;
  beyond_seq: string | null;
  before_id: string | null;
}

/** Verify the trail (or the chain segments whose events fall in [from, to]); does not record anything. */
export async function verifyAuditTrail(ctx: Ctx, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 20_000;
  const concurrency = opts.concurrency ?? (ctx.database.kind === 'postgres' ? 4 : 1);
  const found: Break[] = [];
  const add = (b: Omit<Break, 'checkpointId'> & { checkpointId?: number | null }) => found.push({ checkpointId: null, ...b });

  // The heads and each chain's ends in one statement: one snapshot, so a head and its event agree unless
  // someone changed one without the other. Rows past a head committed later are the next run's.
  const heads = await rows<HeadState>(
    ctx.db,
    sql`select h.chain, h.seq::bigint as seq, encode(h.hash, 'hex') as hash, h.event_id::text as event_id,
               (select encode(e.hash, 'hex') from audit_events e where e.chain = h.chain and e.chain_seq = h.seq) as at_head_hash,
               b.id::text as beyond_id, b.chain_seq::text as beyond_seq,
               (select e.id::text from audit_events e where e.chain = h.chain and e.chain_seq < 1 limit 1) as before_id
        from audit_chain_heads h
        left join lateral (select e.id, e.chain_seq from audit_events e where e.chain = h.chain and e.chain_seq > h.seq order by e.chain_seq limit 1) b on true
        order by h.chain`,
  );
  for (const h of heads) {
    const seq = Number(h.seq);
    h.seq = seq;
    if (h.beyond_id)
      add({
        kind: 'beyond_head',
        eventId: h.beyond_id,
        chain: h.chain,
        seq: Number(h.beyond_seq),
        message: `Event ${h.beyond_id} is on chain ${h.chain} past its head (seq ${seq}): it was not placed there by the chain trigger.`,
      });
    if (h.before_id)
      add({ kind: 'unchained', eventId: h.before_id, chain: h.chain, seq: null, message: `Event ${h.before_id} has no valid place on chain ${h.chain}.` });
    if (seq > 0 && h.at_head_hash === null)
      add({
        kind: 'missing',
        eventId: h.event_id,
        chain: h.chain,
        seq,
        message: `Event ${h.event_id} (seq ${seq}, the last on chain ${h.chain}) is missing: the end of the chain was deleted.`,
      });
    else if (seq > 0 && h.at_head_hash !== h.hash)
      add({ kind: 'head_mismatch', eventId: h.event_id, chain: h.chain, seq, message: `Chain ${h.chain}'s head does not match its last event (seq ${seq}).` });
  }

  // Events on no chain: written with the trigger off (the defaults), or on a chain that has no head.
  const chainIds = heads.map((h) => h.chain);
  const lo = Math.min(...chainIds, 0);
  const hi = Math.max(...chainIds, -1);
  const gaps: number[] = [];
  for (let c = lo; c <= hi; c++) if (!chainIds.includes(c)) gaps.push(c);
  // The first few listed, all of them counted. By the column, not the text alias of the same name: as
  // text '100000' sorts before '90000'.
  const outside = await rows<{ id: string; total: string | number }>(
    ctx.db,
    sql`select id::text as id, count(*) over () as total from audit_events
        where chain < ${lo} or chain > ${hi} ${
          gaps.length
            ? sql`or chain in (${sql.join(
                gaps.map((g) => sql`${g}`),
                sql`, `,
              )})`
            : sql``
        }
        order by audit_events.id limit ${MAX_LISTED}`,
  );
  const unlisted = outside.length ? Number(outside[0]!.total) - outside.length : 0;
  for (const o of outside)
    add({ kind: 'unchained', eventId: o.id, chain: null, seq: null, message: `Event ${o.id} is on no chain: it was written with the chain trigger off.` });

  // Which part of each chain to walk: all of it, or the segment whose events fall in [from, to].
  let segments = heads.filter((h) => h.seq > 0).map((h) => ({ chain: h.chain, first: 1, last: h.seq }));
  if (opts.from || opts.to) {
    const bounds = await rows<{ chain: number; first: string; last: string }>(
      ctx.db,
      sql`select chain, min(chain_seq)::text as first, max(chain_seq)::text as last from audit_events
          where chain >= 0 ${opts.from ? sql`and at >= ${opts.from.toISOString()}::timestamptz` : sql``} ${opts.to ? sql`and at <= ${opts.to.toISOString()}::timestamptz` : sql``}
          group by chain`,
    );
    const headOf = new Map(heads.map((h) => [h.chain, h.seq]));
    segments = bounds
      .filter((b) => headOf.has(b.chain))
      .map((b) => ({ chain: b.chain, first: Number(b.first), last: Math.min(Number(b.last), headOf.get(b.chain)!) }))
      .filter((s) => s.first >= 1 && s.first <= s.last);
  }

  let events = 0;
  const queue = [...segments];
  const walkers = Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      const walked = await walkChain(ctx, s, batchSize, add);
      events += walked;
    }
  });
  await Promise.all(walkers);

  const { checked, keys } = await verifyCheckpoints(ctx, add);
  await compareCheckpointFile(ctx, add);

  // Within a chain, seq order is the order of events; across chains the lower event id comes first.
  const byPlace = (a: Break, b: Break): number => {
    if (a.chain !== null && a.chain === b.chain && a.seq !== null && b.seq !== null && a.seq !== b.seq) return a.seq - b.seq;
    const ea = a.eventId === null ? Infinity : Number(a.eventId);
    const eb = b.eventId === null ? Infinity : Number(b.eventId);
    if (ea !== eb) return ea < eb ? -1 : 1;
    return (a.checkpointId ?? 0) - (b.checkpointId ?? 0);
  };
  const firstPerChain = new Map<string, Break>();
  for (const b of found) {
    const key = b.chain === null ? `e${b.eventId}-${b.kind}-${b.checkpointId}` : `c${b.chain}`;
    const seen = firstPerChain.get(key);
    if (!seen || byPlace(b, seen) < 0) firstPerChain.set(key, b);
  }
  const firsts = [...firstPerChain.values()].sort(byPlace);
  const rest = found.filter((b) => !firsts.includes(b)).sort(byPlace);
  const problems = [...firsts, ...rest].slice(0, MAX_LISTED);
  return {
    ok: found.length === 0,
    from: opts.from?.toISOString() ?? null,
    to: opts.to?.toISOString() ?? null,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    events,
    chains: heads.length,
    checkpoints: checked,
    checkpointKeys: keys,
    lastCheckpoint: await lastCheckpoint(ctx),
    breaks: found.length + unlisted,
    firstBreak: problems[0] ?? null,
    problems,
  };
}

/**
 * Walk one chain from seq `first` to `last` in keyset batches. Postgres recomputes each hash and compares
 * each link with the row before (lag; the batch's first row with the carried last row of the batch
 * before), and returns only the rows that fail plus the batch's last row.
 */
async function walkChain(ctx: Ctx, seg: { chain: number; first: number; last: number }, batchSize: number, add: (b: Break) => void): Promise<number> {
  let carrySeq = seg.first - 1;
  let carryHash: string | null = GENESIS_HASH;
  if (seg.first > 1) {
    const [before] = await rows<{ hash: string }>(
      ctx.db,
      sql`select encode(hash, 'hex') as hash from audit_events where chain = ${seg.chain} and chain_seq = ${carrySeq}`,
    );
    // Outside the segment and gone: the segment's first link cannot be checked (a full run reports it).
    carryHash = before?.hash ?? null;
  }
  let walked = 0;
  for (;;) {
    const found = await rows<{ id: string; seq: string; hash: string; n: number; bad_hash: boolean; bad_link: boolean; gap: boolean; prev_seq: string }>(
      ctx.db,
      sql`with b as (
            select e.id, e.chain_seq as seq, e.prev_hash, e.hash, ${auditHashSql('e')} as computed
            from audit_events e
            where e.chain = ${seg.chain} and e.chain_seq > ${carrySeq} and e.chain_seq <= ${seg.last}
            order by e.chain_seq
            limit ${batchSize}
          ), w as (
            select b.*,
                   coalesce(lag(b.seq) over (order by b.seq), ${carrySeq}::bigint) as prev_seq,
                   coalesce(lag(b.hash) over (order by b.seq), decode(${carryHash}::text, 'hex'), b.prev_hash) as expected_prev,
                   count(*) over () as n,
                   max(b.seq) over () as last_seq
            from b
          )
          select id::text as id, seq::text as seq, encode(hash, 'hex') as hash, n::int as n, prev_seq::text as prev_seq,
                 computed <> hash as bad_hash, prev_hash <> expected_prev as bad_link, seq <> prev_seq + 1 as gap
          from w
          where computed <> hash or prev_hash <> expected_prev or seq <> prev_seq + 1 or seq = last_seq
          order by seq`,
    );
    if (found.length === 0) break;
    for (const r of found) {
      const seq = Number(r.seq);
      const at = { eventId: r.id, chain: seg.chain, seq };
      if (r.gap) {
        const missingFrom = Number(r.prev_seq) + 1;
        add({
          kind: 'missing',
          ...at,
          checkpointId: null,
          message: `Chain ${seg.chain} lacks seq ${missingFrom}${seq - 1 > missingFrom ? `..${seq - 1}` : ''} before event ${r.id}: events were deleted.`,
        });
      } else if (r.bad_link) {
        add({
          kind: 'link_broken',
          ...at,
          checkpointId: null,
          message: `Event ${r.id} (chain ${seg.chain}, seq ${seq}) does not link to the event before it: one was inserted or replaced there.`,
        });
      }
      if (r.bad_hash)
        add({
          kind: 'hash_mismatch',
          ...at,
          checkpointId: null,
          message: `Event ${r.id} (chain ${seg.chain}, seq ${seq}) does not match its hash: it was changed.`,
        });
    }
    const last = found[found.length - 1]!;
    walked += last.n;
    carrySeq = Number(last.seq);
    carryHash = last.hash;
    if (last.n < batchSize || carrySeq >= seg.last) break;
  }
  return walked;
}

/** Every checkpoint's MAC and link, then the recorded heads against the events now at their places. */
async function verifyCheckpoints(ctx: Ctx, add: (b: Break) => void): Promise<{ checked: number; keys: CheckpointKeyUse[] }> {
  const cfg = ctx.config.auditCheckpoint;
  const ourKey = checkpointKeyId(cfg);
  const keys = new Map<string, CheckpointKeyUse>();
  let prevMac: string | null = null;
  let checked = 0;
  for await (const page of checkpointPages(ctx)) {
    const trusted = new Set<number>();
    for (const cp of page) {
      checked++;
      const at = { eventId: null, chain: null, seq: null, checkpointId: cp.id };
      const signer = signingKey(cfg, cp.keyId);
      const use = keys.get(cp.keyId) ?? { keyId: cp.keyId, key: signer?.which ?? 'unknown', checkpoints: 0 };
      use.checkpoints++;
      keys.set(cp.keyId, use);
      if (!signer)
        add({
          kind: 'checkpoint_key_unknown',
          ...at,
          message: `Checkpoint ${cp.id} is signed with key ${cp.keyId}, which is neither AUDIT_CHECKPOINT_KEY (${ourKey}) nor in AUDIT_CHECKPOINT_KEY_PREVIOUS: it cannot be checked.`,
        });
      else if (!macMatches(signer, cp))
        add({ kind: 'checkpoint_signature', ...at, message: `Checkpoint ${cp.id}'s signature does not verify: it was forged or altered.` });
      else trusted.add(cp.id);
      if (cp.prevMac !== prevMac)
        add({ kind: 'checkpoint_link', ...at, message: `Checkpoint ${cp.id} does not follow the checkpoint before it: one was deleted or altered.` });
      prevMac = cp.mac;
    }
    const mismatches = await checkpointMismatches(ctx, page[0]!.id, page[page.length - 1]!.id);
    for (const m of mismatches) {
      const id = Number(m.checkpoint_id);
      if (!trusted.has(id)) continue;
      const eventId = m.event_id ?? m.recorded_event_id;
      add({
        kind: 'checkpoint_mismatch',
        eventId,
        chain: m.chain,
        seq: Number(m.seq),
        checkpointId: id,
        message: m.event_id
          ? `Event ${m.event_id} (chain ${m.chain}, seq ${m.seq}) is not the event signed checkpoint ${id} recorded: the chain was rewritten at or before it.`
          : `Event ${eventId} (chain ${m.chain}, seq ${m.seq}), recorded by signed checkpoint ${id}, is missing.`,
      });
    }
  }
  return { checked, keys: [...keys.values()] };
}

/** The copy in AUDIT_CHECKPOINT_FILE: every checkpoint there must still be in the database, unaltered. */
async function compareCheckpointFile(ctx: Ctx, add: (b: Break) => void): Promise<void> {
  const file = ctx.config.auditCheckpoint.file;
  if (!file || !existsSync(file)) return;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const copies: Array<Pick<AuditCheckpoint, 'id' | 'mac'>> = [];
  for await (const line of lines) {
    if (!line.trim()) continue;
    try {
      const cp = JSON.parse(line) as Partial<AuditCheckpoint>;
      if (typeof cp.id === 'number' && typeof cp.mac === 'string') copies.push({ id: cp.id, mac: cp.mac });
    } catch {
      // a torn last line (a crash while appending) says nothing about the database
    }
  }
  for (let i = 0; i < copies.length; i += 1000) {
    const part = copies.slice(i, i + 1000);
    const held = await rows<{ id: string | number; mac: string }>(
      ctx.db,
      sql`select id, mac from audit_checkpoints where id in (${sql.join(
        part.map((c) => sql`${c.id}`),
        sql`, `,
      )})`,
    );
    const macs = new Map(held.map((h) => [Number(h.id), h.mac]));
    for (const c of part) {
      if (macs.get(c.id) !== c.mac)
        add({
          kind: 'checkpoint_missing',
          eventId: null,
          chain: null,
          seq: null,
          checkpointId: c.id,
          message: `Checkpoint ${c.id} in ${file} is ${macs.has(c.id) ? 'altered' : 'missing'} in the database.`,
        });
    }
  }
}

/** `GET /audit/verify`, `npm run cli -- audit verify`: verify and record the run (super_admin). */
export async function verifyAudit(ctx: Ctx, actor: Actor, opts: VerifyOptions = {}): Promise<VerifyReport> {
  if (!atLeast(actor, 'super_admin')) fail('forbidden', 'Only a super_admin may verify the audit trail.');
  if (opts.from && opts.to && opts.from > opts.to) fail('invalid_input', 'from must not be after to.', { from: 'after to' });
  const report = await verifyAuditTrail(ctx, opts);
  await audit(ctx.db, {
    action: 'audit.verified',
    outcome: report.ok ? 'success' : 'failure',
    ...auditFor(actor),
    details: {
      events: report.events,
      checkpoints: report.checkpoints,
      breaks: report.breaks,
      durationMs: report.durationMs,
      ...(report.from && { from: report.from }),
      ...(report.to && { to: report.to }),
      ...(report.firstBreak && { problem: report.firstBreak.kind, eventId: report.firstBreak.eventId, checkpointId: report.firstBreak.checkpointId }),
    },
  });
  return report;
}

/** The last recorded verification and the last checkpoint, for the admin console. */
export async function lastVerification(ctx: Ctx, actor: Actor) {
  requireAdmin(actor);
  const [last] = await ctx.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'audit.verified')))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(1);
  return { verification: last ? presentAudit(last) : null, checkpoint: await lastCheckpoint(ctx) };
}
