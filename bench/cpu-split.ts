// Where a validation's machine time goes (bench/notes.md, "Issue 12: what a validation costs each
// process, and three cuts"): CPU per validation of the server, of every Postgres process and of the
// bench (the load generator), read from /proc around runs of validations over HTTP; then the same for the
// same calls in-process, (a) of the validate section; and how long the server's one thread ran and
// waited to run. Under the bench lock, Postgres on this machine:
//   /work/helpers/bench npx tsx bench/cpu-split.ts [connections=64] [runs=4] [node args for the server...]
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { openDatabase, POOL_DEFAULTS } from '../db/client';
import { loadConfig } from '../api/config';
import type { Ctx } from '../api/domain/context';
import { closedLoop, validateHttp, type ValidationItem } from './lib/load';
import { validateInProcess } from './lib/in-process';
import { createScratchDatabase, dropScratchDatabase } from '../tests/helpers/database';
import { inTurn, seedUsers, seedValidations } from './lib/seed';
import { freePort, startServer } from './lib/server';
import { benchPool } from './lib/pool';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const C = Number(process.argv[2] ?? 64);
const RUNS = Number(process.argv[3] ?? 4);
const url = await createScratchDatabase(base, 'et_cpu');
const secret = randomBytes(32).toString('hex');
const server = await startServer(
  { DATABASE_URL: url, APP_SECRET: secret, LOCKOUT_ATTEMPTS: '100', AUDIT_CHECKPOINT_MINUTES: '0' },
  await freePort(),
  process.argv.slice(4),
);
const pool = benchPool(url, 4);
const users = await seedUsers(pool, 20000);
const taken = new Set<string>();
const nextUsers = inTurn(users);
const batches = async (n: number) => {
  const out: ValidationItem[][] = [];
  for (let i = 0; i < n; i++) out.push(await seedValidations(pool, secret, taken, nextUsers(3000)));
  return out;
};

// CPU time of a process (user + system) in clock ticks, from /proc.
const cpu = (pid: number | string) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
// Every Postgres process's CPU ticks by pid: a backend that exits between two reads (an idle pool
// connection closed) must not take the CPU it spent before the first read out of the difference.
const postgres = () => {
  const byPid = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') byPid.set(pid, cpu(pid));
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
};
/** Postgres CPU ticks spent between two reads by the processes alive at the second (new ones counted whole). */
const postgresBetween = (before: Map<string, number>, after: Map<string, number>) =>
  [...after].reduce((sum, [pid, ticks]) => sum + ticks - (before.get(pid) ?? 0), 0);
const TICK_US = 1_000_000 / 100;

async function measure(label: string, processes: Record<string, number>, run: (items: ValidationItem[]) => Promise<number>) {
  const [warm, ...measured] = await batches(RUNS + 1);
  await run(warm!);
  const ticks = (): Record<string, number> => Object.fromEntries(Object.entries(processes).map(([k, pid]) => [k, cpu(pid)]));
  const before = ticks();
  const postgresBefore = postgres();
  const rates: number[] = [];
  for (const items of measured) rates.push(Math.round(await run(items)));
  const after = ticks();
  const spent = { ...Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!])), postgres: postgresBetween(postgresBefore, postgres()) };
  const n = measured.length * 3000;
  const split = Object.entries(spent)
    .map(([k, t]) => `${k} ${Math.round((t * TICK_US) / n)}`)
    .join(', ');
  console.log(`${label} @${C}: ${rates.join(' ')} req/s; CPU µs per validation: ${split}`);
}

const schedstat = () => readFileSync(`/proc/${server.pid}/schedstat`, 'utf8').split(' ').map(Number);
const s0 = schedstat();
const t0 = performance.now();
await measure('HTTP', { server: server.pid, bench: process.pid }, async (items) => (await validateHttp(server.url, C, items, (s) => s === 200)).rps);
const s1 = schedstat();
console.log(
  `  the server's main thread over those runs (${Math.round(performance.now() - t0)} ms): ran ${Math.round((s1[0]! - s0[0]!) / 1e6)} ms, waited to run ${Math.round((s1[1]! - s0[1]!) / 1e6)} ms`,
);
const config = loadConfig({ DATABASE_URL: url, APP_SECRET: secret, LOCKOUT_ATTEMPTS: '100' });
const domain = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: POOL_DEFAULTS.size });
const ctx: Ctx = { db: domain.db, database: domain, config };
await measure('(a) in-process', { bench: process.pid }, async (items) => (await closedLoop(C, items.length, (i) => validateInProcess(ctx, items[i]!))).rps);
await domain.close();
await server.stop();
await pool.end();
await dropScratchDatabase(base, url);
