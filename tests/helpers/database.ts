// A fresh database per test file: in-memory PGlite by default, or a new database on the Postgres in
// DATABASE_URL (created here, dropped by the returned cleanup).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseOptions } from '../../db/client';

export interface TestDatabase {
  database: Database;
  url: string | undefined;
  drop(): Promise<void>;
}

export async function freshDatabase(opts: Pick<DatabaseOptions, 'poolSize' | 'acquireTimeoutMs'> = {}): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const database = await openDatabase({ dataDir: ':memory:' });
    return { database, url: undefined, drop: () => database.close() };
  }
  const name = `et_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize: 60, ...opts });
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      // pool.end() resolves before its clients' sockets close; forcing the drop while they are still
      // open makes those clients emit errors after the test file ended. Wait (bounded) for them to go.
      for (let i = 0; i < 500; i++) {
        const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (rows[0].n === 0) break;
      }
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
