// Section "validate under sign-in flood": how much slower bedside validation gets while 40 clients keep
// signing in with wrong passwords, on Postgres and on the embedded PGlite. Validate p50 with the flood ÷
// validate p50 without, the same load otherwise (a few nurses validating their own tokens, each request a
// different token). The ceilings on sign-in failures are lifted for the run, so that every sign-in costs a
// full password check (the worst case: a flood from many addresses that has not reached them yet).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client';
import { sha256, tokenHash } from '../api/domain/crypto';
import { closedLoop, validateInTurn } from './lib/load';
import { freePort, startServer } from './lib/server';
import { createScratchDatabase, dropScratchDatabase } from '../tests/helpers/database';
import type { RunResult } from './lib/stats';

export interface FloodResult {
  database: 'postgres' | 'pglite';
  quiet: RunResult;
  flood: RunResult;
  signIns: { answered: number; perSecond: number; unexpected: number };
}

const NURSES = 40;
const FLOODERS = 40;
const CONCURRENCY = 4;

export async function benchFlood(opts: { baseUrl?: string | undefined; quick: boolean; progress: (msg: string) => void }): Promise<FloodResult[]> {
  const results: FloodResult[] = [];
  if (opts.baseUrl) results.push(await onPostgres(opts.baseUrl, opts));
  results.push(await onPglite(opts));
  return results;
}

async function onPostgres(baseUrl: string, opts: { quick: boolean; progress: (msg: string) => void }): Promise<FloodResult> {
  const url = await createScratchDatabase(baseUrl, 'et_bench_flood');
  try {
    return await measure('postgres', { DATABASE_URL: url }, opts);
  } finally {
    await dropScratchDatabase(baseUrl, url).catch(() => {});
  }
}

async function onPglite(opts: { quick: boolean; progress: (msg: string) => void }): Promise<FloodResult> {
  const dir = mkdtempSync(join(tmpdir(), 'et-bench-flood-'));
  try {
    // DATABASE_URL empty: the server process must not inherit the bench's.
    return await measure('pglite', { DATA_DIR: dir, DATABASE_URL: '' }, opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(
  kind: 'postgres' | 'pglite',
  env: Record<string, string>,
  opts: { quick: boolean; progress: (msg: string) => void },
): Promise<FloodResult> {
  const amount = opts.quick ? 300 : 1000;
  const secret = randomBytes(32).toString('hex');
  opts.progress(`flood (${kind}): seeding ${NURSES} nurses and ${3 * amount} tokens`);
  // Seed through the same client the server uses, then close it: PGlite allows one process at a time.
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR ?? '' });
  const nurses: Array<{ cookie: string; codes: string[] }> = [];
  try {
    await database.db.execute(
      sql`insert into users (username, name, role) select 'flood-nurse-' || g, 'Flood Nurse ' || g, 'staff' from generate_series(0, ${NURSES - 1}::int) g`,
    );
    for (let i = 0; i < NURSES; i++) nurses.push({ cookie: `et_session=flood-session-${i}-${randomBytes(6).toString('hex')}`, codes: [] });
    const users = (await database.db.execute(sql`select id, username from users where username like 'flood-nurse-%' order by username`)) as unknown as {
      rows: Array<{ id: string; username: string }>;
    };
    const byName = new Map(users.rows.map((u) => [u.username, u.id]));
    const items: Array<{ h: string; u: string }> = [];
    const sessions: Array<{ s: string; u: string }> = [];
    for (let i = 0; i < NURSES; i++) {
      const userId = byName.get(`flood-nurse-${i}`)!;
      sessions.push({ s: sha256(nurses[i]!.cookie.slice('et_session='.length)), u: userId });
      for (let j = 0; j < Math.ceil((3 * amount) / NURSES); j++) {
        const code = String(100000 + i * 10000 + j);
        nurses[i]!.codes.push(code);
        items.push({ h: tokenHash(Buffer.from(secret, 'utf8'), code), u: userId });
      }
    }
    await database.db.execute(
      sql`insert into sessions (id_hash, user_id, expires_at) select t.s, t.u::uuid, now() + interval '1 day' from jsonb_to_recordset(${JSON.stringify(sessions)}::jsonb) as t(s text, u text)`,
    );
    await database.db.execute(
      sql`insert into tokens (hash, length, status, user_id, expires_at) select t.h, 6, 'available', t.u::uuid, now() + interval '1 day' from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as t(h text, u text)`,
    );
  } finally {
    await database.close();
  }

  const server = await startServer(
    { ...env, APP_SECRET: secret, LOGIN_CEILING: '100000', ADMIN_PASSWORD: `bench-${randomBytes(6).toString('hex')}` },
    await freePort(),
  );
  try {
    const validateOnce = validateInTurn(server.url, nurses);
    // Warm-up: connections, JIT, the first queries' plans.
    await closedLoop(CONCURRENCY, Math.min(100, amount / 5), validateOnce);
    opts.progress(`flood (${kind}): ${amount} validations without the flood`);
    const quiet = await closedLoop(CONCURRENCY, amount, validateOnce);

    opts.progress(`flood (${kind}): ${amount} validations while ${FLOODERS} clients sign in with wrong passwords`);
    let stop = false;
    let answered = 0;
    let unexpected = 0;
    let attempt = 0;
    const flooders = Array.from({ length: FLOODERS }, async (_, i) => {
      while (!stop) {
        // A different username each time: no per-account limit cuts the flood short.
        const res = await fetch(`${server.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: `intruder-${i}-${attempt++}`, password: 'not-the-password' }),
        }).catch(() => null);
        if (res) await res.arrayBuffer();
        if (res?.status === 401) answered++;
        else unexpected++;
      }
    });
    // Let the flood fill the password-check queue before measuring.
    const started = Date.now();
    while (answered < FLOODERS && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 50));
    const floodStarted = performance.now();
    const answeredBefore = answered;
    const flood = await closedLoop(CONCURRENCY, amount, validateOnce);
    const seconds = (performance.now() - floodStarted) / 1000;
    const answeredDuring = answered - answeredBefore;
    stop = true;
    await Promise.all(flooders);
    return { database: kind, quiet, flood, signIns: { answered: answeredDuring, perSecond: answeredDuring / seconds, unexpected } };
  } finally {
    await server.stop();
  }
}
