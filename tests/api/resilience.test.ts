// The database connection going away under a running API: idle pooled connections killed by the server
// (a Postgres restart, a failover, an admin terminating sessions) must not crash the process, and the API
// must recover by itself. On the embedded PGlite there is no connection to lose; the probe is checked only.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('database connections dropped by the server', () => {
  it('idle pooled connections terminated by Postgres: no crash, /readyz and the API recover', async () => {
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      // Fill the pool with several idle connections.
      const warm = await Promise.all(Array.from({ length: 8 }, () => h.http('GET', '/readyz')));
      expect(warm.every((r) => r.status === 200)).toBe(true);
      if (!h.db.url) return; // PGlite: nothing to terminate

      const dbName = new URL(h.db.url).pathname.slice(1);
      const killer = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await killer.connect();
      try {
        const killed = await killer.query(
          `select pg_terminate_backend(pid) as ok from pg_stat_activity
           where datname = $1 and pid <> pg_backend_pid() and state = 'idle' and query not ilike 'listen%'`,
          [dbName],
        );
        expect(killed.rows.length).toBeGreaterThan(0);
        // Wait (bounded) until the server has closed them all.
        for (let i = 0; i < 500; i++) {
          const { rows } = await killer.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and state = 'idle' and query not ilike 'listen%'`, [dbName]);
          if (rows[0].n === 0) break;
        }
      } finally {
        await killer.end();
      }

      // The API answers again within a few requests (a request may meet a dead connection once).
      let ready = 0;
      for (let i = 0; i < 20 && ready < 3; i++) if ((await h.http('GET', '/readyz')).status === 200) ready++;
      expect(ready).toBe(3);
      expect(crashes.map((e) => String((e as Error).message)), 'idle-connection errors reached the process as uncaught exceptions (no pool error handler)').toEqual([]);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});
