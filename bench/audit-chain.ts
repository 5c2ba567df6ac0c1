// Section "audit-chain" (`npm run bench -- --only audit-chain`): what the audit hash chain costs the
// bedside path, and how long verifying a large trail takes. Two databases seeded alike, each with its own
// server: one as migrated (chain trigger on), one with the chain switched off in the bench's own database
// (both chain triggers disabled, the chain's unique index dropped). Validate throughput over HTTP at 16
// and 64 connections, in pairs of runs back to back so drift on a shared machine hits both alike; the
// median of the pairs' ratios with ÷ without (target ≥ 0.9). Then 1M events (0.2M with --quick) written
// through the trigger, and a full verification of them timed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../db/client';
import { loadConfig } from '../api/config';
import { verifyAuditTrail } from '../api/domain/audit-verify';
import { inPairs, validateHttp, type ValidationItem } from './lib/load';
import { inTurn, seedUsers, seedValidations, type BenchUser } from './lib/seed';
import { freePort, startServer, type ServerProcess } from './lib/server';
import { createScratchDatabase, dropScratchDatabase } from '../tests/helpers/database';
import { median, medianOf, type RunResult } from './lib/stats';
import { benchPool } from './lib/pool';
import { autovacuumDuring, waitForQuietCluster, type QuietWait } from './lib/quiet';

export interface AuditChainResult {
  /**
   * Medians, each run's rate in the order run, each pair's with ÷ without (a side's r-th run against the
   * other's, run back to back), and the judged ratio: the median of the pairs'.
   */
  validate: Array<{ c: number; with: RunResult; without: RunResult; rates: { with: number[]; without: number[] }; pairs: number[]; ratio: number }>;
  /** The wait for a quiet cluster before the runs, and the most autovacuum workers seen during each side's runs. */
  quiet: QuietWait & { duringWith: number; duringWithout: number };
  verify: { events: number; seconds: number; chains: number; writeSeconds: number; ok: boolean };
}

const CONNECTIONS = [16, 64];
const USERS = 20_000;

interface Side {
  name: 'with' | 'without';
  url: string;
  pool: pg.Pool;
  server: ServerProcess;
  /** The side's users, the next `n` of them in turn. */
  nextUsers: (n: number) => BenchUser[];
}

export async function benchAuditChain(opts: { baseUrl: string; quick: boolean; progress: (msg: string) => void }): Promise<AuditChainResult> {
  const admin = new pg.Client({ connectionString: opts.baseUrl });
  await admin.connect();
  const secret = randomBytes(32).toString('hex');
  // Each database's URL as soon as it exists, so that the finally drops a half-made pair too.
  const made: string[] = [];
  const sides: Side[] = [];
  try {
    for (const name of ['with', 'without'] as const) {
      const url = await createScratchDatabase(opts.baseUrl, `et_bench_chain_${name === 'with' ? 'on' : 'off'}`);
      made.push(url);
      const server = await startServer({ DATABASE_URL: url, APP_SECRET: secret, LOCKOUT_ATTEMPTS: '100', AUDIT_CHECKPOINT_MINUTES: '0' }, await freePort());
      const pool = benchPool(url, 4);
      if (name === 'without') {
        await pool.query('alter table audit_events disable trigger audit_events_chain');
        await pool.query('alter table audit_events disable trigger audit_events_chain_heads');
        await pool.query('drop index audit_chain_seq_idx');
      }
      opts.progress(`audit-chain: seeding ${USERS} users (${name} the chain)`);
      sides.push({ name, url, pool, server, nextUsers: inTurn(await seedUsers(pool, USERS)) });
    }
    const amount = opts.quick ? 1000 : 4000;
    // One side's rate moves between runs by about as much as the 10% judged here, and drifts over a section
    // (the same runs climbed 15-30% from first to last on Nov 28): so seven pairs, each pair's two runs back
    // to back, and the figure judged is the median of the pairs' ratios, which the drift cancels out of.
    const runs = opts.quick ? 3 : 7;
    const taken = new Set<string>();
    const validate: AuditChainResult['validate'] = [];
    const batches = new Map<string, ValidationItem[]>();
    for (const c of CONNECTIONS)
      for (let r = 0; r < runs; r++) for (const side of sides) batches.set(`${c}/${r}/${side.name}`, await prepare(side, secret, taken, amount));
    for (const side of sides) batches.set(`warm-up/${side.name}`, await prepare(side, secret, taken, amount));
    // In a full run, earlier sections leave autovacuum of their million-row tables behind (seeding here adds
    // its own): measured only once the cluster is quiet, and what ran during the runs is reported.
    const wait = await waitForQuietCluster(admin);
    opts.progress(
      `audit-chain: waited ${wait.seconds.toFixed(0)} s for a quiet cluster (autovacuum workers ${wait.autovacuumBefore} → ${wait.autovacuumAfter})`,
    );
    // Each server is new: until its pool's connections are open, their statements prepared and its hot code
    // compiled, the first runs measured that warm-up (a side's first runs came in at 60-70% of its last).
    // One unmeasured run a side, at the most connections, before any that counts.
    for (const side of sides) await validateHttp(side.server.url, Math.max(...CONNECTIONS), batches.get(`warm-up/${side.name}`)!, (s) => s === 200);
    const during = { with: 0, without: 0 };
    for (const c of CONNECTIONS) {
      const runOf = (side: Side) => async (r: number) => {
        const batch = batches.get(`${c}/${r}/${side.name}`)!;
        const { result, autovacuum } = await autovacuumDuring(admin, () => validateHttp(side.server.url, c, batch, (s) => s === 200));
        during[side.name] = Math.max(during[side.name], autovacuum);
        return result;
      };
      const pairsRun = await inPairs(runs, runOf(sides[0]!), runOf(sides[1]!));
      const results: Record<Side['name'], RunResult[]> = { with: pairsRun.map((p) => p.a), without: pairsRun.map((p) => p.b) };
      const rates = { with: results.with.map((r) => r.rps), without: results.without.map((r) => r.rps) };
      const pairs = rates.with.map((w, r) => w / rates.without[r]!);
      const ratio = median(pairs);
      validate.push({ c, with: medianOf(results.with), without: medianOf(results.without), rates, pairs, ratio });
      opts.progress(
        `  c=${c}: with ${medianOf(results.with).rps.toFixed(0)}/s, without ${medianOf(results.without).rps.toFixed(0)}/s, pairs' median ratio ${ratio.toFixed(2)}`,
      );
    }
    for (const s of sides) await s.server.stop();

    // Verification of a large trail: events written through the trigger in batches of 50,000 (one
    // transaction each, so each batch lands on one chain, like a busy connection's), then one full run.
    const events = opts.quick ? 200_000 : 1_000_000;
    const on = sides[0]!;
    opts.progress(`audit-chain: writing ${events} events through the chain trigger`);
    const t0 = performance.now();
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let done = w * 50_000; done < events; done += 4 * 50_000) {
        await on.pool.query(
          `insert into audit_events (at, action, outcome, actor_id, ip, details)
           select now() - (g % 31536000) * interval '1 second', 'token.validated', 'success', null, '10.0.0.1', jsonb_build_object('reason', 'ward round', 'patientRef', 'MRN-' || g)
           from generate_series(1, $1::int) g`,
          [Math.min(50_000, events - done)],
        );
      }
    });
    await Promise.all(writers);
    const writeSeconds = (performance.now() - t0) / 1000;
    await on.pool.query('vacuum analyze audit_events');
    const database = await openDatabase({ databaseUrl: on.url, dataDir: '', poolSize: 8 });
    try {
      const config = loadConfig({ DATABASE_URL: on.url, APP_SECRET: secret });
      opts.progress('audit-chain: verifying every event');
      const t1 = performance.now();
      const report = await verifyAuditTrail({ db: database.db, database, config });
      const seconds = (performance.now() - t1) / 1000;
      opts.progress(`  ${report.events} events in ${seconds.toFixed(1)} s (${report.ok ? 'clean' : `${report.breaks} breaks`})`);
      return {
        validate,
        quiet: { ...wait, duringWith: during.with, duringWithout: during.without },
        verify: { events: report.events, seconds, chains: report.chains, writeSeconds, ok: report.ok },
      };
    } finally {
      await database.close();
    }
  } finally {
    for (const s of sides) {
      await s.server.stop().catch(() => {});
      await s.pool.end().catch(() => {});
    }
    for (const url of made) await dropScratchDatabase(opts.baseUrl, url).catch(() => {});
    await admin.end();
  }
}

async function prepare(side: Side, secret: string, taken: Set<string>, amount: number): Promise<ValidationItem[]> {
  return seedValidations(side.pool, secret, taken, side.nextUsers(amount));
}
