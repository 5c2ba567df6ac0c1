// The database connection going away under a running API: pooled connections killed by the server (a
// Postgres restart, a failover, an admin terminating sessions), idle or checked out inside a transaction,
// must not crash the process; a pool with no free connection answers 503 with Retry-After instead of
// hanging; the API recovers by itself. On the embedded PGlite there is no connection to lose; the probe is
// checked only. A whole-server restart and outage under load is in tests/resilience (own cluster).
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { loggedLines } from '../helpers/logs';
import { expectError, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let nurse: TestUser;
beforeAll(async () => {
  h = await startHarness({ DATABASE_POOL_SIZE: '3', DATABASE_ACQUIRE_TIMEOUT_MS: '300' });
  nurse = await quickUser(h);
});
afterAll(() => h?.close());

const dbName = () => new URL(h.db.url!).pathname.slice(1);

/** Terminate this test database's backends (not the LISTEN one unless asked) and wait until they are gone. */
async function terminate(where: string) {
  const killer = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await killer.connect();
  try {
    const killed = await killer.query(
      `select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and ${where}`,
      [dbName()],
    );
    for (let i = 0; i < 500; i++) {
      const { rows } = await killer.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and ${where}`, [
        dbName(),
      ]);
      if (rows[0].n === 0) break;
    }
    return killed.rows.length;
  } finally {
    await killer.end();
  }
}

async function withCrashWatch(fn: () => Promise<void>) {
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);
  process.on('uncaughtException', onCrash);
  try {
    await fn();
    expect(
      crashes.map((e) => String((e as Error).message)),
      'connection errors reached the process as uncaught exceptions',
    ).toEqual([]);
  } finally {
    process.off('uncaughtException', onCrash);
  }
}

describe('database connections dropped by the server', () => {
  it('idle pooled connections terminated by Postgres: no crash, /readyz and the API recover', async () => {
    await withCrashWatch(async () => {
      const warm = await Promise.all(Array.from({ length: 8 }, () => h.http('GET', '/readyz')));
      expect(warm.every((r) => r.status === 200)).toBe(true);
      if (!h.db.url) return; // PGlite: nothing to terminate
      expect(await terminate(`state = 'idle' and query not ilike 'listen%'`)).toBeGreaterThan(0);
      // The API answers again within a few requests (a request may meet a dead connection once).
      let ready = 0;
      for (let i = 0; i < 20 && ready < 3; i++) if ((await h.http('GET', '/readyz')).status === 200) ready++;
      expect(ready).toBe(3);
    });
  });

  it('a connection terminated while checked out inside a transaction: the transaction fails, the process lives', async () => {
    if (!h.db.url) return;
    await withCrashWatch(async () => {
      const outcome = await h.runtime.ctx.db
        .transaction(async (tx) => {
          const [row] = await rows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
          await terminate(`pid = ${Number(row!.pid)}`);
          // The server has closed this connection: the client emits 'error' while it is checked out.
          await tx.execute(sql`select 1`);
        })
        .then(
          () => 'committed',
          () => 'failed',
        );
      expect(outcome).toBe('failed');
      expect((await h.http('GET', '/api/v1/me', { cookie: nurse.cookie })).status).toBe(200);
    });
  });

  it('no free pooled connection within DATABASE_ACQUIRE_TIMEOUT_MS: 503 unavailable with Retry-After, never a hang', async () => {
    if (!h.db.url) return; // PGlite has no pool
    // Hold every connection of the pool (3) in open transactions.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const allHeld = new Promise<void>((resolve) => {
      for (let i = 0; i < 3; i++) {
        void h.runtime.ctx.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          if (++started === 3) resolve();
          await held;
        });
      }
    });
    await allHeld;
    try {
      const res = await h.http('GET', '/api/v1/me', { cookie: nurse.cookie });
      expectError(res, 503, 'unavailable');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.body.error.details.retryAfterSeconds).toBe(Number(res.headers.get('retry-after')));
      const ready = await h.http('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.parts.database).toBe('down');
      // The operator's log names the cause (the harness keeps the runtime's warnings: tests/helpers/logs.ts).
      const warning = loggedLines()
        .map((l) => JSON.parse(l))
        .findLast((l) => l.msg === 'database unavailable');
      expect(warning, 'the 503 was logged as a warning').toMatchObject({ level: 40, err: { message: expect.stringMatching(/timeout/i) } });
    } finally {
      release();
    }
    expect((await h.http('GET', '/api/v1/me', { cookie: nurse.cookie })).status).toBe(200);
  });
});
