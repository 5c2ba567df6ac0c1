// Moving the embedded database to Postgres when the ward outgrows it: migrate an empty Postgres to this
// version, copy every row across in one transaction (db/copy.ts), then prove the copy by comparing both
// databases' fingerprints (every table's row count and content hash, every sequence, the migrations) and
// their triggers (the audit trail's append-only guard, the stock counters) switched on.
import pg from 'pg';
import { openDatabase } from './client';
import { copyDatabase, type CopyReport } from './copy';
import { openEmbedded } from './embedded';
import { appliedMigrations, differences, fingerprint, type Fingerprint, type Queryable, type TxQueryable } from './fingerprint';

export function pgQueryable(client: pg.Client): TxQueryable {
  const q: Queryable = { query: async (text, params) => ({ rows: (await client.query(text, params)).rows }) };
  return {
    ...q,
    async transaction(fn) {
      // One snapshot for the whole transaction: a fingerprint of a live database is of one instant.
      await client.query('begin isolation level repeatable read');
      try {
        const out = await fn(q);
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      }
    },
  };
}

/** User triggers (not the internal ones behind foreign keys): table.name → enabled. */
export async function userTriggers(q: Queryable): Promise<Record<string, boolean>> {
  const { rows } = await q.query<{ name: string; enabled: string }>(
    `select c.relname || '.' || t.tgname as name, t.tgenabled as enabled
     from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
     where not t.tgisinternal and n.nspname = 'public' order by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.enabled === 'O']));
}

export interface Moved {
  copied: CopyReport;
  source: Fingerprint;
  target: Fingerprint;
  /** Empty when the target holds exactly what the source holds. */
  differences: string[];
  triggers: Record<string, boolean>;
}

export async function moveToPostgres(dataDir: string, url: string, onTable?: (table: string, rows: number) => void): Promise<Moved> {
  // The target gets this version's schema first, the way the server would give it (same migrations).
  const migrated = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 2 });
  await migrated.close();
  const source = await openEmbedded(dataDir, { migrate: true });
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a dropped connection fails the query in flight, which reports it
  try {
    await client.connect();
    const target = pgQueryable(client);
    const [sm, tm] = [await appliedMigrations(source.q), await appliedMigrations(target)];
    if (sm.join() !== tm.join()) throw new Error(`the target's migrations (${tm.length}) differ from this version's (${sm.length})`);
    const copied = await copyDatabase(source.q, target, onTable);
    const [a, b] = [await fingerprint(source.q), await fingerprint(target)];
    const diffs = differences(a, b);
    const [st, tt] = [await userTriggers(source.q), await userTriggers(target)];
    if (JSON.stringify(st) !== JSON.stringify(tt)) diffs.push(`triggers: ${JSON.stringify(st)} in the source, ${JSON.stringify(tt)} in the target`);
    return { copied, source: a, target: b, differences: diffs, triggers: tt };
  } finally {
    await client.end().catch(() => {});
    await source.close();
  }
}

/** The fingerprint of a Postgres database (of one instant, even while it is in use). */
export async function fingerprintPostgres(url: string): Promise<Fingerprint> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fingerprint(pgQueryable(client));
  } finally {
    await client.end().catch(() => {});
  }
}
