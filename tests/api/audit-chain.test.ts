// The audit hash chains, tampered with as the database owner would (the chain trigger and the append-only
// guard switched off): a change, a deletion or an insertion, in the middle of a chain and at its end, is
// named by the verifier at the first broken event, and an untouched trail reports nothing. A rewrite of a
// whole chain tail with every hash recomputed is caught by a signed checkpoint; a forged or deleted
// checkpoint is caught too. 64 validations at once leave a clean trail. Runs on PGlite and on Postgres.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../api/config';
import { rows, type Executor } from '../../db/client';
import { audit } from '../../api/domain/audit';
import type { Ctx } from '../../api/domain/context';
import { takeCheckpoint } from '../../api/domain/audit-checkpoints';
import { verifyAuditTrail, type VerifyReport } from '../../api/domain/audit-verify';
import { runCli } from '../../cli/run';
import { dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
const checkpointFile = join(mkdtempSync(join(tmpdir(), 'et-chain-')), 'checkpoints.jsonl');

/** A chain of `n` events written in one transaction (one transaction keeps one chain), and its number. */
async function chainOf(n: number): Promise<{ chain: number; ids: string[] }> {
  await h.runtime.ctx.db.transaction(async (tx) => {
    for (let i = 0; i < n; i++)
      await audit(tx, { action: 'settings.updated', actorId: admin.id, ip: '10.0.0.7', details: { i, note: `step ${i} "quoted" é` } });
  });
  const [last] = await dbRows<{ chain: number }>(h, sql`select chain from audit_events order by id desc limit 1`);
  const ids = await dbRows<{ id: string }>(h, sql`select id::text as id from audit_events where chain = ${last!.chain} order by chain_seq desc limit ${n}`);
  return { chain: last!.chain, ids: ids.map((r) => r.id).reverse() };
}

/** Runs statements as the owner with every user trigger of the audit tables off, in one transaction. */
async function asOwner(...statements: string[]) {
  await h.runtime.ctx.db.transaction(async (tx) => {
    await tx.execute(sql.raw('alter table audit_events disable trigger user'));
    await tx.execute(sql.raw('alter table audit_checkpoints disable trigger user'));
    for (const s of statements) await tx.execute(sql.raw(s));
    await tx.execute(sql.raw('alter table audit_events enable trigger user'));
    await tx.execute(sql.raw('alter table audit_checkpoints enable trigger user'));
  });
}

const verify = () => verifyAuditTrail(h.runtime.ctx, { batchSize: 7 });
const seqOf = async (id: string) => (await dbRows<{ chain_seq: string }>(h, sql`select chain_seq::text from audit_events where id = ${id}`))[0]!.chain_seq;

function expectFirstBreak(report: VerifyReport, eventId: string, kind: string) {
  expect(report.ok).toBe(false);
  expect({ eventId: report.firstBreak?.eventId, kind: report.firstBreak?.kind }).toEqual({ eventId, kind });
}

beforeAll(async () => {
  h = await startHarness({ AUDIT_CHECKPOINT_FILE: checkpointFile, AUDIT_CHECKPOINT_KEY: 'k'.repeat(40) });
  admin = await quickUser(h, 'super_admin');
});
afterAll(() => h?.close());

// Each tamper test starts from the same trail and leaves it as it found it.
beforeEach(async () => {
  await asOwner(
    'drop table if exists bk_events',
    'drop table if exists bk_heads',
    'drop table if exists bk_checkpoints',
    'create table bk_events as select * from audit_events',
    'create table bk_heads as select * from audit_chain_heads',
    'create table bk_checkpoints as select * from audit_checkpoints',
  );
});
afterEach(async () => {
  // Checkpoints taken in a test go with the restore below, and so do their copies in the file.
  writeFileSync(checkpointFile, '');
  await asOwner(
    'delete from audit_events',
    'insert into audit_events overriding system value select * from bk_events',
    'delete from audit_chain_heads',
    'insert into audit_chain_heads select * from bk_heads',
    'delete from audit_checkpoints',
    'insert into audit_checkpoints overriding system value select * from bk_checkpoints',
  );
});

describe('an untouched trail', () => {
  it('verifies clean, every event counted, events of every kind of column included', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    const ok = await h.http('POST', '/api/v1/tokens/validate', {
      cookie: nurse.cookie,
      body: { token: t!.token, reason: 'arrest, bed "4"', patientRef: 'MRN-1' },
    });
    expect(ok.status).toBe(200);
    await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: '000000', reason: 'a miss' } });
    await chainOf(12);
    const report = await verify();
    const [{ n }] = (await dbRows<{ n: number }>(h, sql`select count(*)::int as n from audit_events`)) as [{ n: number }];
    expect(report).toMatchObject({ ok: true, breaks: 0, firstBreak: null, problems: [], events: n, chains: 64 });
    const [{ chains }] = (await dbRows<{ chains: number }>(h, sql`select count(distinct chain)::int as chains from audit_events`)) as [{ chains: number }];
    expect(chains).toBeGreaterThanOrEqual(1);
  });

  it('each event links to the one before it on its chain, from the genesis hash', async () => {
    const { chain } = await chainOf(3);
    const links = await dbRows<{ seq: string; ok: boolean }>(
      h,
      sql`select chain_seq::text as seq, prev_hash = coalesce(lag(hash) over (order by chain_seq), decode(repeat('0', 64), 'hex')) as ok
          from audit_events where chain = ${chain} order by chain_seq`,
    );
    expect(links.length).toBeGreaterThanOrEqual(3);
    expect(links.every((l) => l.ok)).toBe(true);
    expect(links.map((l) => Number(l.seq))).toEqual(links.map((_, i) => i + 1));
  });

  // The row trigger moves the head for a transaction's first events; past them, the statement trigger
  // moves it once per statement (migration 0022). Either way the head is the chain's last event as soon as
  // each statement ends, whichever way the events came.
  it('the head is the last event of its chain after every statement: single rows, bulk statements, past the first events', async () => {
    const headLag = async (tx: Executor) => {
      const [r] = await rows<{ lag: number }>(
        tx,
        sql`select count(*)::int as lag from audit_chain_heads h
            join lateral (select id, chain_seq, hash, at from audit_events e where e.chain = h.chain order by chain_seq desc limit 1) e on true
            where (h.seq, h.hash, h.event_id, h.at) is distinct from (e.chain_seq, e.hash, e.id, e.at)`,
      );
      return r!.lag;
    };
    const lags: number[] = [];
    const bulk = (n: number) =>
      sql.raw(
        `insert into audit_events (action, outcome, ip, details) select 'settings.updated', 'success', '10.0.0.8', jsonb_build_object('i', g) from generate_series(1, ${n}) g`,
      );
    await h.runtime.ctx.db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) {
        await audit(tx, { action: 'settings.updated', actorId: admin.id, details: { i } });
        lags.push(await headLag(tx));
      }
      await tx.execute(bulk(30));
      lags.push(await headLag(tx));
      for (let i = 0; i < 3; i++) {
        await audit(tx, { action: 'settings.updated', actorId: admin.id, details: { i } });
        lags.push(await headLag(tx));
      }
      await tx.execute(bulk(2));
      lags.push(await headLag(tx));
    });
    // A bulk statement as a transaction's first: past the first events from its ninth row on.
    await h.runtime.ctx.db.transaction(async (tx) => {
      await tx.execute(bulk(40));
      lags.push(await headLag(tx));
    });
    lags.push(await h.runtime.ctx.db.transaction(headLag));
    expect(lags).toEqual(Array(10).fill(0));
    expect(await verify()).toMatchObject({ ok: true, breaks: 0 });
  });
});

describe('tampering as the owner, with the triggers off', () => {
  it('a changed event in the middle is named', async () => {
    const { ids } = await chainOf(10);
    await asOwner(`update audit_events set details = '{"i": 4, "note": "nothing to see"}' where id = ${ids[4]}`);
    const report = await verify();
    expectFirstBreak(report, ids[4]!, 'hash_mismatch');
    expect(report.breaks).toBe(1);
  });

  it('a changed event at the end is named', async () => {
    const { ids } = await chainOf(10);
    await asOwner(`update audit_events set actor_id = null where id = ${ids[9]}`);
    const report = await verify();
    expectFirstBreak(report, ids[9]!, 'hash_mismatch');
    expect(report.breaks).toBe(1);
  });

  it('a changed event whose own hash is recomputed is named by the next link', async () => {
    const { ids } = await chainOf(10);
    await asOwner(
      `update audit_events set ip = '192.0.2.1' where id = ${ids[3]}`,
      `update audit_events e set hash = sha256(convert_to(audit_event_canonical(e), 'UTF8')) where id = ${ids[3]}`,
    );
    const report = await verify();
    expectFirstBreak(report, ids[4]!, 'link_broken');
    expect(report.breaks).toBe(1);
  });

  it('a deleted event in the middle is named by the event after the gap', async () => {
    const { ids } = await chainOf(10);
    const seq = await seqOf(ids[5]!);
    await asOwner(`delete from audit_events where id = ${ids[5]}`);
    const report = await verify();
    expectFirstBreak(report, ids[6]!, 'missing');
    expect(report.firstBreak!.message).toContain(`seq ${seq}`);
    expect(report.breaks).toBe(1);
  });

  it('deleted events at the end are named (the head still says where the chain ended)', async () => {
    const { ids } = await chainOf(10);
    await asOwner(`delete from audit_events where id in (${ids[8]}, ${ids[9]})`);
    const report = await verify();
    expectFirstBreak(report, ids[9]!, 'missing');
    expect(report.breaks).toBe(1);
  });

  it('an event inserted in the middle without the trigger is named', async () => {
    const { ids } = await chainOf(10);
    // Dated like the sixth event, so in the trail (newest first by time) it sits among them.
    await asOwner(`insert into audit_events (at, action, outcome, details) select at, 'token.revoked', 'success', '{}' from audit_events where id = ${ids[5]}`);
    const [intruder] = await dbRows<{ id: string }>(
      h,
      sql`select id::text as id from audit_events where action = 'token.revoked' order by audit_events.id desc limit 1`,
    );
    const report = await verify();
    expectFirstBreak(report, intruder!.id, 'unchained');
    expect(report.breaks).toBe(1);
  });

  it('an event spliced into the middle of a chain with a valid hash of its own is named by the next link', async () => {
    const { chain, ids } = await chainOf(10);
    const seq = Number(await seqOf(ids[4]!));
    // Make room after seq (two steps: seq is unique), put a forged event there, hashed as the trigger would.
    await asOwner(
      `update audit_events set chain_seq = -chain_seq where chain = ${chain} and chain_seq > ${seq}`,
      `update audit_events set chain_seq = -chain_seq + 1 where chain = ${chain} and chain_seq < 0`,
      `insert into audit_events (action, outcome, details, chain, chain_seq, prev_hash) select 'token.revoked', 'success', '{}', ${chain}, ${seq + 1}, hash from audit_events where id = ${ids[4]}`,
      `update audit_events e set hash = sha256(convert_to(audit_event_canonical(e), 'UTF8')) where chain = ${chain} and chain_seq = ${seq + 1}`,
    );
    const report = await verify();
    expectFirstBreak(report, ids[5]!, 'link_broken');
  });

  it('an event appended at the end without the trigger is named', async () => {
    await chainOf(3);
    await asOwner(`insert into audit_events (action, outcome, details) values ('token.revoked', 'success', '{}')`);
    const [intruder] = await dbRows<{ id: string }>(h, sql`select id::text as id from audit_events order by audit_events.id desc limit 1`);
    const report = await verify();
    expectFirstBreak(report, intruder!.id, 'unchained');
    expect(report.breaks).toBe(1);
  });

  // More than the report lists (20), with ids of different lengths: the first is the lowest id, not the
  // first as text ('100000' sorts before '90000').
  it('among many events written with the trigger off, the lowest id is named first', async () => {
    await asOwner(
      `insert into audit_events (id, action, outcome, details, chain_seq) overriding system value
       select g, 'token.revoked', 'success', '{}', g from (select 90000 as g union all select generate_series(100000, 100024)) s`,
    );
    const report = await verify();
    expectFirstBreak(report, '90000', 'unchained');
    expect(report.breaks).toBe(26);
  });

  it('an event appended at the end of a chain with a valid hash of its own is named', async () => {
    const { chain, ids } = await chainOf(3);
    const seq = Number(await seqOf(ids[2]!));
    await asOwner(
      `insert into audit_events (action, outcome, details, chain, chain_seq, prev_hash) select 'token.revoked', 'success', '{}', ${chain}, ${seq + 1}, hash from audit_events where id = ${ids[2]}`,
      `update audit_events e set hash = sha256(convert_to(audit_event_canonical(e), 'UTF8')) where chain = ${chain} and chain_seq = ${seq + 1}`,
    );
    const [intruder] = await dbRows<{ id: string }>(h, sql`select id::text as id from audit_events where chain = ${chain} and chain_seq = ${seq + 1}`);
    const report = await verify();
    expectFirstBreak(report, intruder!.id, 'beyond_head');
    expect(report.breaks).toBe(1);
  });
});

describe('signed checkpoints', () => {
  /** Change event `id` and recompute its chain from there to the end, head included: no link breaks. */
  const rewriteFrom = (chain: number, id: string) => [
    `update audit_events set details = '{"rewritten": true}' where id = ${id}`,
    `do $$
     declare e audit_events; prev bytea;
     begin
       select prev_hash into prev from audit_events where id = ${id};
       for e in select * from audit_events where chain = ${chain} and chain_seq >= (select chain_seq from audit_events where id = ${id}) order by chain_seq loop
         e.prev_hash := prev;
         e.hash := sha256(convert_to(audit_event_canonical(e), 'UTF8'));
         update audit_events set prev_hash = e.prev_hash, hash = e.hash where id = e.id;
         prev := e.hash;
       end loop;
       update audit_chain_heads set hash = prev where chain = ${chain};
     end $$`,
  ];

  it('a rewrite of a whole chain tail, heads included, passes the chain but not the checkpoint', async () => {
    const { chain, ids } = await chainOf(10);
    const { checkpoint, taken } = await takeCheckpoint(h.runtime.ctx);
    expect(taken).toBe(true);
    expect((await verify()).ok).toBe(true);
    await asOwner(...rewriteFrom(chain, ids[3]!));
    const report = await verify();
    expect(report.problems.filter((p) => p.kind !== 'checkpoint_mismatch')).toEqual([]);
    expectFirstBreak(report, ids[9]!, 'checkpoint_mismatch');
    expect(report.firstBreak!.checkpointId).toBe(checkpoint.id);
  });

  it('a checkpoint taken when nothing moved is not repeated; each one is appended to the file', async () => {
    await chainOf(2);
    const first = await takeCheckpoint(h.runtime.ctx);
    const again = await takeCheckpoint(h.runtime.ctx);
    expect(first.taken).toBe(true);
    expect(again).toMatchObject({ taken: false, checkpoint: { id: first.checkpoint.id } });
    const lines = readFileSync(checkpointFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; mac: string });
    expect(lines.at(-1)).toMatchObject({ id: first.checkpoint.id, mac: first.checkpoint.mac });
  });

  it('a forged checkpoint (heads rewritten to match a rewritten tail) fails its signature', async () => {
    const { chain, ids } = await chainOf(6);
    const { checkpoint } = await takeCheckpoint(h.runtime.ctx);
    await asOwner(
      ...rewriteFrom(chain, ids[2]!),
      `update audit_checkpoints c set heads = (select jsonb_agg(jsonb_build_object('chain', chain, 'seq', seq::text, 'hash', encode(hash, 'hex'), 'eventId', event_id::text) order by chain) from audit_chain_heads) where id = ${checkpoint.id}`,
    );
    const report = await verify();
    expect(report.problems.map((p) => [p.kind, p.checkpointId])).toEqual([['checkpoint_signature', checkpoint.id]]);
  });

  it('a deleted checkpoint is caught by the next one and by the file', async () => {
    await chainOf(2);
    const a = await takeCheckpoint(h.runtime.ctx);
    await chainOf(2);
    const b = await takeCheckpoint(h.runtime.ctx);
    await asOwner(`delete from audit_checkpoints where id = ${a.checkpoint.id}`);
    expect((await verify()).problems.map((p) => [p.kind, p.checkpointId])).toEqual([
      ['checkpoint_missing', a.checkpoint.id],
      ['checkpoint_link', b.checkpoint.id],
    ]);
    // The newest one has no successor to betray it: the copy outside the database does.
    await asOwner(`delete from audit_checkpoints where id = ${b.checkpoint.id}`);
    expect((await verify()).problems.map((p) => [p.kind, p.checkpointId])).toEqual([
      ['checkpoint_missing', a.checkpoint.id],
      ['checkpoint_missing', b.checkpoint.id],
    ]);
  });
});

describe('over HTTP', () => {
  it('GET /audit/verify (super_admin) verifies and records the run; GET /audit/verification shows the last one', async () => {
    const plainAdmin = await quickUser(h, 'admin');
    expectError(await h.http('GET', '/api/v1/audit/verify', { cookie: plainAdmin.cookie }), 403, 'forbidden');
    const before = await h.http('GET', '/api/v1/audit/verification', { cookie: plainAdmin.cookie });
    expect(before.status).toBe(200);

    const { ids } = await chainOf(4);
    await asOwner(`update audit_events set outcome = 'failure' where id = ${ids[1]}`);
    const res = await h.http('GET', '/api/v1/audit/verify', { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, breaks: 1, firstBreak: { kind: 'hash_mismatch', eventId: ids[1] } });

    const last = await h.http('GET', '/api/v1/audit/verification', { cookie: plainAdmin.cookie });
    expect(last.status).toBe(200);
    expect(last.body.verification).toMatchObject({
      action: 'audit.verified',
      outcome: 'failure',
      actorId: admin.id,
      details: { breaks: 1, problem: 'hash_mismatch', eventId: ids[1] },
    });
    expectError(await h.http('GET', '/api/v1/audit/verify?from=2030-01-01&to=2020-01-01', { cookie: admin.cookie }), 400, 'invalid_input');
  });
});

describe('the one command: npm run cli -- audit verify', () => {
  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      open: async () => ({ ctx: h.runtime.ctx, close: async () => {} }),
      config: () => h.config,
      io: { out: (l) => out.push(l), err: (l) => err.push(l), stdout: new PassThrough() },
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('exits 0 on an intact trail, 1 naming the first broken event, and --from/--to walk only their part', async () => {
    const clean = await cli('audit', 'verify');
    expect(clean).toMatchObject({ code: 0, err: '' });
    expect(clean.out).toMatch(/^checked \d+ event\(s\) on 64 chain\(s\) and \d+ checkpoint\(s\)/);
    expect(clean.out).toContain('OK: every chain is intact and matches every checkpoint');

    // Three events of a year long past, written through the trigger (in one transaction: one chain, the
    // tail of it), the middle one changed as the owner. They are their chain's last events until the
    // first verification below records its own.
    await h.runtime.ctx.db.transaction(async (tx) => {
      for (const day of [1, 2, 3])
        await tx.execute(sql`insert into audit_events (at, action, outcome, actor_id, ip, details)
          values (${`2020-01-0${day}T12:00:00Z`}::timestamptz, 'settings.updated', 'success', ${admin.id}, '10.0.0.9', '{}'::jsonb)`);
    });
    const old = await dbRows<{ id: string }>(h, sql`select id::text as id from audit_events where at < '2021-01-01' order by id`);
    expect(old).toHaveLength(3);
    await asOwner(`update audit_events set outcome = 'failure' where id = ${old[1]!.id}`);

    const recent = await cli('audit', 'verify', '--from', '2021-01-01T00:00:00Z');
    expect(recent.code).toBe(0);
    expect(recent.out).toMatch(/ from 2021-01-01T00:00:00\.000Z to now and /);
    expect(recent.out).toContain('OK: every chain is intact');

    for (const argv of [[], ['--to', '2020-12-31T00:00:00Z'], ['--from', '2020-01-02T00:00:00Z', '--to', '2020-01-02T23:59:59Z']]) {
      const broken = await cli('audit', 'verify', ...argv);
      expect(broken.code).toBe(1);
      expect(broken.err).toBe('the audit trail is broken');
      expect(broken.out).toContain(`BROKEN: 1 problem(s); the first broken event is ${old[1]!.id}`);
      expect(broken.out).toContain('  hash_mismatch: ');
    }
    const byRange = await cli('audit', 'verify', '--to', '2020-12-31T00:00:00Z');
    expect(byRange.out).toMatch(/^checked 3 event\(s\) .* to 2020-12-31T00:00:00\.000Z and /);

    // A date the command cannot read is a usage error (2), not a verdict.
    const bad = await cli('audit', 'verify', '--from', 'yesterday');
    expect(bad.code).toBe(2);
  });

  it('audit checkpoint signs the heads now, and says so when nothing moved since', async () => {
    await chainOf(2);
    const took = await cli('audit', 'checkpoint');
    expect(took.code).toBe(0);
    const [last] = await dbRows<{ id: number }>(h, sql`select id from audit_checkpoints order by id desc limit 1`);
    expect(took.out).toMatch(new RegExp(`^took checkpoint #${last!.id} at \\S+: \\d+ event\\(s\\) on 64 chain\\(s\\), key \\S+`));
    const again = await cli('audit', 'checkpoint');
    expect(again).toMatchObject({ code: 0 });
    expect(again.out).toMatch(new RegExp(`^nothing new since checkpoint #${last!.id} `));
  });
});

describe('many writers at once', () => {
  it('64 validations at once, then verify is clean and counts every event', async () => {
    const nurses = await Promise.all(Array.from({ length: 64 }, () => quickUser(h)));
    const tokens = await generate(h, admin, { count: 64 });
    const replies = await Promise.all(
      nurses.map((n, i) => h.http('POST', '/api/v1/tokens/validate', { cookie: n.cookie, body: { token: tokens[i]!.token, reason: 'many at once' } })),
    );
    expect(replies.map((r) => r.status)).toEqual(nurses.map(() => 200));
    const report = await verify();
    const [{ n }] = (await dbRows<{ n: number }>(h, sql`select count(*)::int as n from audit_events`)) as [{ n: number }];
    expect(report).toMatchObject({ ok: true, breaks: 0, events: n });
    const [{ v }] = (await dbRows<{ v: number }>(
      h,
      sql`select count(*)::int as v from audit_events where action = 'token.validated' and outcome = 'success'`,
    )) as [{ v: number }];
    expect(v).toBeGreaterThanOrEqual(64);
  });
});

describe('checkpoint key rotation', () => {
  const HARNESS = 'k'.repeat(40);
  const OLD = 'o'.repeat(40);
  const NEW = 'n'.repeat(40);
  const APP_SECRET = 's'.repeat(40);
  /** The server's context as configured with these checkpoint variables (parsed by the real config). */
  const withKeys = (env: Record<string, string>): Ctx => {
    const { key, previousKeys, derived } = loadConfig({ APP_SECRET, ...env }).auditCheckpoint;
    const base = h.runtime.ctx;
    return { ...base, config: { ...base.config, auditCheckpoint: { ...base.config.auditCheckpoint, key, previousKeys, derived, file: undefined } } };
  };

  it('checkpoints signed before a rotation verify under AUDIT_CHECKPOINT_KEY_PREVIOUS; the report names the key of each', async () => {
    await chainOf(2);
    const derived = await takeCheckpoint(withKeys({})); // before AUDIT_CHECKPOINT_KEY was set: derived from APP_SECRET
    await chainOf(2);
    const old = await takeCheckpoint(withKeys({ AUDIT_CHECKPOINT_KEY: OLD, AUDIT_CHECKPOINT_KEY_PREVIOUS: HARNESS }));
    await chainOf(2);
    const rotated = withKeys({ AUDIT_CHECKPOINT_KEY: NEW, AUDIT_CHECKPOINT_KEY_PREVIOUS: ` ${'x'.repeat(32)}, ${OLD},${HARNESS} ` });
    const current = await takeCheckpoint(rotated);
    expect(new Set([derived, old, current].map((c) => c.checkpoint.keyId)).size).toBe(3);

    const report = await verifyAuditTrail(rotated, { batchSize: 7 });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checkpointKeys).toEqual(
      expect.arrayContaining([
        { keyId: derived.checkpoint.keyId, key: 'previous', checkpoints: 1 },
        { keyId: old.checkpoint.keyId, key: 'previous', checkpoints: 1 },
        { keyId: current.checkpoint.keyId, key: 'current', checkpoints: 1 },
      ]),
    );
  });

  it('a checkpoint signed by no key this server has is reported as broken, by id', async () => {
    await chainOf(2);
    const old = await takeCheckpoint(withKeys({ AUDIT_CHECKPOINT_KEY: OLD, AUDIT_CHECKPOINT_KEY_PREVIOUS: HARNESS }));
    await chainOf(2);
    const forgot = withKeys({ AUDIT_CHECKPOINT_KEY: NEW, AUDIT_CHECKPOINT_KEY_PREVIOUS: HARNESS });
    await takeCheckpoint(forgot);
    const report = await verifyAuditTrail(forgot, { batchSize: 7 });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.kind, p.checkpointId])).toEqual([['checkpoint_key_unknown', old.checkpoint.id]]);
    expect(report.problems[0]!.message).toContain(old.checkpoint.keyId);
    expect(report.checkpointKeys).toContainEqual({ keyId: old.checkpoint.keyId, key: 'unknown', checkpoints: 1 });
  });

  it('a previous key still checks the signature: a checkpoint altered after the rotation fails it', async () => {
    await chainOf(2);
    const old = await takeCheckpoint(withKeys({ AUDIT_CHECKPOINT_KEY: OLD, AUDIT_CHECKPOINT_KEY_PREVIOUS: HARNESS }));
    const rotated = withKeys({ AUDIT_CHECKPOINT_KEY: NEW, AUDIT_CHECKPOINT_KEY_PREVIOUS: `${OLD},${HARNESS}` });
    await asOwner(`update audit_checkpoints set at = at - interval '1 hour' where id = ${old.checkpoint.id}`);
    const report = await verifyAuditTrail(rotated, { batchSize: 7 });
    expect(report.problems.map((p) => [p.kind, p.checkpointId])).toEqual([['checkpoint_signature', old.checkpoint.id]]);
  });

  it('each previous key must be at least 32 characters', () => {
    expect(() => loadConfig({ APP_SECRET, AUDIT_CHECKPOINT_KEY_PREVIOUS: `${OLD},short` })).toThrow(
      /AUDIT_CHECKPOINT_KEY_PREVIOUS: each key must be at least 32 characters/,
    );
  });
});

describe('checkpoints on a timer (the server in the background)', () => {
  it('every period a checkpoint is taken once a chain moved; AUDIT_CHECKPOINT_MINUTES=0 takes none', async () => {
    const timed = await startHarness({ AUDIT_CHECKPOINT_KEY: 't'.repeat(40) }, { background: true, checkpointIntervalMs: 50 });
    const off = await startHarness({ AUDIT_CHECKPOINT_KEY: 't'.repeat(40), AUDIT_CHECKPOINT_MINUTES: '0' }, { background: true, checkpointIntervalMs: 50 });
    try {
      const checkpoints = async (x: Harness) =>
        dbRows<{ events: string }>(
          x,
          sql`select (select sum((h->>'seq')::bigint) from jsonb_array_elements(heads) h)::text as events from audit_checkpoints order by id`,
        );
      const events = async (x: Harness) => Number((await dbRows<{ n: string }>(x, sql`select count(*)::text as n from audit_events`))[0]!.n);
      for (const x of [timed, off]) await quickUser(x, 'super_admin');
      await vi.waitFor(async () => expect((await checkpoints(timed)).at(-1)?.events).toBe(String(await events(timed))), { timeout: 15_000, interval: 50 });
      // A chain moves again: the next period signs it (one that moved nothing signs nothing: takeCheckpoint,
      // "a checkpoint taken when nothing moved is not repeated" above).
      await quickUser(timed, 'staff');
      await vi.waitFor(async () => expect((await checkpoints(timed)).at(-1)?.events).toBe(String(await events(timed))), { timeout: 15_000, interval: 50 });
      expect(await checkpoints(off)).toEqual([]);
    } finally {
      await timed.close();
      await off.close();
    }
  });
});
