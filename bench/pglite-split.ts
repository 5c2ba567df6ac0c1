// Where a validation's time goes on the embedded default at 1 connection (bench/notes.md, "Issue 12 on the
// second machine"): rounds of 1,000 validations in-process ((a) of the PGlite section), each followed by
// 1,000 calls of its floor ((b)), then rounds over HTTP to a server on the same data directory; each after a
// whole warm-up batch, with the CPU of the process that runs PGlite and the time inside each statement.
//   /work/helpers/bench npx tsx bench/pglite-split.ts [rounds=3] [node args for the server...]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../api/config';
import type { Ctx } from '../api/domain/context';
import { openDatabase } from '../db/client';
import { closedLoop, validateHttp } from './lib/load';
import { validateInProcess } from './lib/in-process';
import { pgliteSplit, type PgliteSplitLine } from './lib/pglite-timer';
import { freePort, startServer } from './lib/server';
import { pgliteFloorCall, seedPglite } from './validate-pglite';

const ROUNDS = Number(process.argv[2] ?? 3);
const AMOUNT = 1000;
const dir = mkdtempSync(join(tmpdir(), 'et-pglite-split-'));
const out = join(dir, 'split.jsonl');
process.env.PGLITE_SPLIT_OUT = out;
const secret = randomBytes(32).toString('hex');
const env = { DATA_DIR: dir, DATABASE_URL: '', APP_SECRET: secret, LOCKOUT_ATTEMPTS: '100', PGLITE_SPLIT_OUT: out };

const show = (line: PgliteSplitLine, rps: number) => {
  const per = (ms: number) => ((ms * 1000) / AMOUNT).toFixed(0);
  const inside = line.statements.filter((s) => s.calls >= AMOUNT / 2).map((s) => `${s.statement} ${(s.meanMs * 1000).toFixed(0)}`);
  console.log(`${line.label}: ${rps.toFixed(0)} req/s; CPU ${per(line.cpuMs)} µs a validation; µs inside each statement: ${inside.join(', ')}`);
};

try {
  const batches = await seedPglite(dir, secret, AMOUNT, 2 + 3 * ROUNDS);
  const database = await openDatabase({ dataDir: dir });
  const ctx: Ctx = { db: database.db, database, config: loadConfig(env) };
  const warm = batches.shift()!;
  await closedLoop(1, warm.length, (i) => validateInProcess(ctx, warm[i]!));
  for (let r = 0; r < ROUNDS; r++) {
    const items = batches.shift()!;
    pgliteSplit('warm-up');
    const res = await closedLoop(1, items.length, (i) => validateInProcess(ctx, items[i]!));
    show(pgliteSplit(`in-process ${r + 1}`), res.rps);
    const floor = batches.shift()!;
    const f = await closedLoop(1, floor.length, (i) => pgliteFloorCall(ctx, floor[i]!));
    show(pgliteSplit(`floor ${r + 1}`), f.rps);
  }
  await database.close();

  const server = await startServer({ ...env, ADMIN_PASSWORD: `b-${randomBytes(6).toString('hex')}` }, await freePort(), [
    '--import',
    'tsx',
    '--import',
    './bench/lib/pglite-timer.ts',
  ]);
  const lines = () =>
    readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PgliteSplitLine);
  // The server's line is written by its signal handler: wait until it is there.
  const mark = async () => {
    const before = lines().length;
    process.kill(server.pid, 'SIGUSR2');
    for (let i = 0; i < 200 && lines().length === before; i++) await new Promise((r) => setTimeout(r, 10));
    return lines().at(-1)!;
  };
  try {
    await validateHttp(server.url, 1, batches.shift()!);
    for (let r = 0; r < ROUNDS; r++) {
      await mark();
      const res = await validateHttp(server.url, 1, batches.shift()!, (s) => s === 200);
      show({ ...(await mark()), label: `server ${r + 1}` }, res.rps);
    }
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
