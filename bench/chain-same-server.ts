// The audit chain's cost through HTTP on one server and one database (bench/notes.md, "Audit chain ≥ 0.9×:
// what the chain costs a validation"): the chain's two triggers disabled and enabled between runs, pairs
// of runs back to back, the median of the pairs' ratios. Under the bench lock:
//   /work/helpers/bench npx tsx bench/chain-same-server.ts [connections=16] [pairs=8] [variant.sql]
// A variant is SQL run once before the runs (e.g. another audit_events_chain()) to compare with "off".
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { validateHttp } from './lib/load';
import { createScratchDatabase, dropScratchDatabase } from '../tests/helpers/database';
import { inTurn, seedUsers, seedValidations } from './lib/seed';
import { freePort, startServer } from './lib/server';
import { benchPool } from './lib/pool';
import { median } from './lib/stats';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const C = Number(process.argv[2] ?? 16);
const PAIRS = Number(process.argv[3] ?? 8);
const VARIANT = process.argv[4];
const url = await createScratchDatabase(base, 'et_cab');
const secret = randomBytes(32).toString('hex');
const server = await startServer({ DATABASE_URL: url, APP_SECRET: secret, LOCKOUT_ATTEMPTS: '100', AUDIT_CHECKPOINT_MINUTES: '0' }, await freePort());
const pool = benchPool(url, 4);
const users = await seedUsers(pool, 20000);
if (VARIANT) await pool.query(readFileSync(VARIANT, 'utf8'));
// Unchained events (chain -1, position 0) must fit the unique index while the chain is off.
await pool.query('drop index audit_chain_seq_idx');
await pool.query('create unique index audit_chain_seq_idx on audit_events (chain, chain_seq) where chain >= 0');
const taken = new Set<string>();
const nextUsers = inTurn(users);
const batch = (n: number) => seedValidations(pool, secret, taken, nextUsers(n));
const bs = [];
for (let i = 0; i < PAIRS * 2 + 1; i++) bs.push(await batch(3000));
await validateHttp(server.url, 64, bs[0]!, (s) => s === 200);
const set = (on: boolean) =>
  pool.query(
    `alter table audit_events ${on ? 'enable' : 'disable'} trigger audit_events_chain; alter table audit_events ${on ? 'enable' : 'disable'} trigger audit_events_chain_heads`,
  );
const ratios: number[] = [];
const rates = { on: [] as number[], off: [] as number[] };
for (let p = 0; p < PAIRS; p++) {
  const order = p % 2 === 0 ? [true, false] : [false, true];
  const got: Record<string, number> = {};
  for (const on of order) {
    await set(on);
    const r = await validateHttp(server.url, C, bs[1 + p * 2 + (on ? 0 : 1)]!, (s) => s === 200);
    got[String(on)] = r.rps;
    rates[on ? 'on' : 'off'].push(Math.round(r.rps));
  }
  ratios.push(got['true']! / got['false']!);
}
await set(true);
console.log(`c=${C} on ${rates.on.join(' ')} | off ${rates.off.join(' ')}`);
console.log(
  `median ratio of pairs ${median(ratios).toFixed(3)}, ratio of medians ${(median(rates.on) / median(rates.off)).toFixed(3)}, pairs ${ratios.map((r) => r.toFixed(2)).join(' ')}`,
);
await server.stop();
await pool.end();
await dropScratchDatabase(base, url);
