// Section "validate on PGlite": the embedded default most newcomers run, measured the way section 1
// measures Postgres. HTTP validate at 1 and 16 connections against (a) the same domain call in-process and
// (b) a one-UPDATE floor, all on the same PGlite data directory, in the same run.
//
// PGlite is one Postgres inside one process, and the server holds its data directory (DATA_DIR/
// pglite.lock) for as long as it runs; the bench may not open it meanwhile, and the server has no
// endpoint that runs bench code (nor should it). So each run has two phases on the same directory: the
// bench opens the database itself and measures (a) and (b), closes it, then starts the server on it and
// measures HTTP, then stops it. The phases alternate which goes first from run to run, so drift on a
// shared machine hits both alike; medians of the runs. Every call spends a different token of a
// different signed-in user, seeded once before the first run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../api/config';
import type { Ctx } from '../api/domain/context';
import { sha256, tokenHash } from '../api/domain/crypto';
import { openDatabase, rows } from '../db/client';
import { closedLoop, validateHttp, type ValidationItem } from './lib/load';
import { validateInProcess } from './lib/in-process';
import { freePort, startServer } from './lib/server';
import { medianOf, type RunResult } from './lib/stats';

export const PGLITE_CONNECTIONS = [1, 16];
/** Calls per run and kind (PGlite answers one statement at a time: fewer than on Postgres). */
export const pgliteAmount = (quick: boolean) => (quick ? 300 : 1000);

export interface PgliteValidate {
  c: number;
  http: RunResult;
  /** (a) the same domain call (session lookup, then validateToken) in-process on the same PGlite. */
  sql: RunResult;
  /** (b) one `UPDATE tokens ... RETURNING id` per call on the same PGlite. */
  floor: RunResult;
}

type Kind = 'http' | 'sql' | 'floor';

export async function benchValidatePglite(opts: { quick: boolean; progress: (msg: string) => void }): Promise<PgliteValidate[]> {
  const amount = pgliteAmount(opts.quick);
  const runs = 3;
  const secret = randomBytes(32).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'et-bench-pglite-'));
  // DATABASE_URL empty: neither the bench's domain calls nor the server may use the bench's Postgres.
  const env = { DATA_DIR: dir, DATABASE_URL: '', APP_SECRET: secret, LOCKOUT_ATTEMPTS: '100' };
  try {
    // One batch of `amount` per (run, connections, kind), plus a whole warm-up batch per phase: every run
    // starts a new server process, whose JavaScript and PGlite's WebAssembly start cold, while the bench's
    // own process keeps its compiled code from one PGlite instance to the next. Fifty calls left the
    // server's first measured calls on cold code (HTTP at 1 connection 298 / 306 req/s after 50, 336 / 356
    // after 1,000, two runs each; bench/notes.md).
    const batchCount = runs * PGLITE_CONNECTIONS.length * 3 + runs * 2;
    opts.progress(`validate (PGlite): seeding ${amount} users and ${batchCount * amount} tokens`);
    const batches = await seedPglite(dir, secret, amount, batchCount);
    const take = () => batches.shift()!;
    const results = new Map<string, RunResult[]>();
    const record = (kind: Kind, c: number, r: RunResult) => results.set(`${kind}@${c}`, [...(results.get(`${kind}@${c}`) ?? []), r]);

    const inProcess = async () => {
      const database = await openDatabase({ dataDir: dir });
      try {
        const ctx: Ctx = { db: database.db, database, config: loadConfig(env) };
        const validateOnce = (item: ValidationItem) => validateInProcess(ctx, item);
        const warm = take();
        await closedLoop(4, warm.length, (i) => validateOnce(warm[i]!));
        for (const c of PGLITE_CONNECTIONS) {
          const s = take();
          record('sql', c, await closedLoop(c, s.length, (i) => validateOnce(s[i]!)));
          const f = take();
          record('floor', c, await closedLoop(c, f.length, (i) => pgliteFloorCall(ctx, f[i]!)));
        }
      } finally {
        await database.close();
      }
    };
    const overHttp = async () => {
      const server = await startServer({ ...env, ADMIN_PASSWORD: `bench-${randomBytes(6).toString('hex')}` }, await freePort());
      try {
        const warm = take();
        await validateHttp(server.url, 4, warm);
        for (const c of PGLITE_CONNECTIONS) record('http', c, await validateHttp(server.url, c, take()));
      } finally {
        await server.stop();
      }
    };
    for (let r = 0; r < runs; r++) {
      opts.progress(`validate (PGlite): run ${r + 1} of ${runs}`);
      if (r % 2 === 0) {
        await inProcess();
        await overHttp();
      } else {
        await overHttp();
        await inProcess();
      }
    }
    const out = PGLITE_CONNECTIONS.map((c) => ({
      c,
      http: medianOf(results.get(`http@${c}`)!),
      sql: medianOf(results.get(`sql@${c}`)!),
      floor: medianOf(results.get(`floor@${c}`)!),
    }));
    for (const v of out) opts.progress(`  c=${v.c}: http ${v.http.rps.toFixed(0)}/s, in-process ${v.sql.rps.toFixed(0)}/s, floor ${v.floor.rps.toFixed(0)}/s`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** (b), the PGlite floor: one `UPDATE tokens ... RETURNING id` spending the item's token, sent as drizzle sends it. */
export async function pgliteFloorCall(ctx: Ctx, item: ValidationItem): Promise<void> {
  const hash = tokenHash(ctx.config.secret, item.code);
  const updated = await rows(ctx.db, sql`update tokens set status = 'used', used_at = now() where hash = ${hash} and status = 'available' returning id`);
  if (updated.length !== 1) throw new Error('floor miss');
}

/**
 * Users with sessions and, per batch, `amount` available tokens, the i-th of each batch held by the i-th
 * user: within a batch every call is a different user spending one of her own tokens. Seeded through
 * the same client the server uses, then closed (one process at a time on PGlite).
 */
export async function seedPglite(dir: string, secret: string, amount: number, batchCount: number): Promise<ValidationItem[][]> {
  const database = await openDatabase({ dataDir: dir });
  try {
    await database.db.execute(
      sql`insert into users (username, name, role) select 'pglite-nurse-' || g, 'PGlite Nurse ' || g, 'staff' from generate_series(0, ${amount - 1}::int) g`,
    );
    const users = await rows<{ id: string; username: string }>(database.db, sql`select id, username from users where username like 'pglite-nurse-%'`);
    const byName = new Map(users.map((u) => [u.username, u.id]));
    const nurses = Array.from({ length: amount }, (_, i) => ({
      id: byName.get(`pglite-nurse-${i}`)!,
      cookie: `et_session=pglite-bench-${i}-${randomBytes(6).toString('hex')}`,
    }));
    const sessions = nurses.map((n) => ({ s: sha256(n.cookie.slice('et_session='.length)), u: n.id }));
    await database.db.execute(
      sql`insert into sessions (id_hash, user_id, expires_at) select t.s, t.u::uuid, now() + interval '1 day' from jsonb_to_recordset(${JSON.stringify(sessions)}::jsonb) as t(s text, u text)`,
    );
    const batches: ValidationItem[][] = [];
    for (let b = 0; b < batchCount; b++) {
      const batch = nurses.map((n, i) => ({ cookie: n.cookie, code: String(100_000 + b * amount + i) }));
      const items = batch.map((item, i) => ({ h: tokenHash(Buffer.from(secret, 'utf8'), item.code), u: nurses[i]!.id }));
      await database.db.execute(
        sql`insert into tokens (hash, length, status, user_id, expires_at) select t.h, 6, 'available', t.u::uuid, now() + interval '1 day' from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as t(h text, u text)`,
      );
      batches.push(batch);
    }
    await database.db.execute(sql`vacuum analyze`);
    return batches;
  } finally {
    await database.close();
  }
}
