// A fresh database per test file: in-memory PGlite by default, or a new database on the Postgres in
// DATABASE_URL (created here, dropped by the returned cleanup).
//
// A few cases are about Postgres itself (moving to it, pg_dump, its roles) and must run on every CI leg, the
// embedded one included: they ask for `postgres: true` and use DATABASE_URL, else TEST_POSTGRES_URL (which
// .ci/run sets for every leg). Only on a machine with neither do they not run (`postgresAvailable`).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseOptions } from '../../db/client';

export interface TestDatabase {
  database: Database;
  url: string | undefined;
  drop(): Promise<void>;
}

const postgresBase = process.env.DATABASE_URL || process.env.TEST_POSTGRES_URL || undefined;
export const postgresAvailable = postgresBase !== undefined;

export async function freshDatabase(opts: Pick<DatabaseOptions, 'poolSize' | 'acquireTimeoutMs'> & { postgres?: boolean } = {}): Promise<TestDatabase> {
  const base = opts.postgres ? postgresBase : process.env.DATABASE_URL;
  if (opts.postgres && !base) throw new Error('this test needs Postgres: set DATABASE_URL or TEST_POSTGRES_URL');
  if (!base) {
    const database = await openDatabase({ dataDir: ':memory:' });
    return { database, url: undefined, drop: () => database.close() };
  }
  const url = await createScratchDatabase(base, 'et_test');
  const { postgres: _, ...pool } = opts;
  // The production pool (DATABASE_POOL_SIZE's default), not a larger one: vitest runs two files at a time
  // against one cluster (max_connections 100), and two pools of 60 could outgrow it under a test's burst
  // (a flood of sign-ins), which Postgres refuses with 53300 and the API answers 503.
  const database = await openDatabase({ databaseUrl: url, dataDir: '', ...pool });
  return {
    database,
    url,
    async drop() {
      await database.close();
      await dropScratchDatabase(base, url);
    },
  };
}

/**
 * A new, empty database on the Postgres server of `base`, named `<prefix>_<time>_<random>`; its URL. For
 * tests, and for bench scripts (some leave it behind on purpose: the pgbench A/B scripts print its URL).
 */
export async function createScratchDatabase(base: string, prefix: string): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createScratchDatabase (its URL), whoever is still connected to it. */
export async function dropScratchDatabase(base: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    // A closed pool's end() resolves before its clients' sockets close; forcing the drop while they are
    // still open makes those clients emit errors after the caller moved on. Wait (bounded) for them to go.
    for (let i = 0; i < 500; i++) {
      const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
      if (rows[0]!.n === 0) break;
    }
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}
