// What a database holds, as numbers that two copies can be compared by: per table its row count and a
// SHA-256 over every row (row_to_json in primary-key order, in UTC, so the same rows give the same hash on
// PGlite and on any Postgres), every sequence's position, and the migrations applied. Used to prove that a
// backup restored, or an embedded database moved to Postgres, holds exactly what it held.
import { createHash } from 'node:crypto';

/** The least a connection must do: PGlite, a node-postgres client, or a transaction of either. */
export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}
export interface TxQueryable extends Queryable {
  /** Run fn in one transaction on one connection (cursors need it). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface TableFingerprint {
  rows: number;
  sha256: string;
}
export interface Fingerprint {
  tables: Record<string, TableFingerprint>;
  sequences: Record<string, { lastValue: string; isCalled: boolean }>;
  migrations: string[];
}

const BATCH = 2000;

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Tables of the public schema (partitions are read through their parent). */
export async function listTables(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
  );
  return rows.map((r) => r.name);
}

/** ORDER BY for a stable row order: the primary key, text compared bytewise (collations differ). */
export async function rowOrder(q: Queryable, table: string): Promise<string> {
  const { rows } = await q.query<{ col: string; category: string }>(
    `select a.attname as col, t.typcategory as category
     from pg_index i
     join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
     join pg_type t on t.oid = a.atttypid
     where i.indrelid = $1::regclass and i.indisprimary
     order by array_position(i.indkey::int2[], a.attnum)`,
    [`public.${quoteIdent(table)}`],
  );
  if (rows.length === 0) return `row_to_json(t)::text collate "C"`;
  return rows.map((r) => `t.${quoteIdent(r.col)}${r.category === 'S' ? ' collate "C"' : ''}`).join(', ');
}

/** Every row of a table as JSON text, in primary-key order, a batch at a time (a cursor: bounded memory). */
export async function* tableRows(tx: Queryable, table: string, batch = BATCH): AsyncGenerator<string[]> {
  const order = await rowOrder(tx, table);
  const cursor = `fp_${table.replace(/\W/g, '_')}`;
  await tx.query(`declare ${cursor} no scroll cursor for select row_to_json(t)::text as j from public.${quoteIdent(table)} t order by ${order}`);
  try {
    for (;;) {
      const { rows } = await tx.query<{ j: string }>(`fetch forward ${batch} from ${cursor}`);
      if (rows.length === 0) break;
      yield rows.map((r) => r.j);
      if (rows.length < batch) break;
    }
  } finally {
    await tx.query(`close ${cursor}`);
  }
}

export async function fingerprint(db: TxQueryable): Promise<Fingerprint> {
  const migrations = await appliedMigrations(db);
  return db.transaction(async (tx) => {
    // Rows render the same everywhere only in one time zone.
    await tx.query(`set local timezone to 'UTC'`);
    const tables: Record<string, TableFingerprint> = {};
    for (const table of await listTables(tx)) {
      const hash = createHash('sha256');
      let rows = 0;
      for await (const batch of tableRows(tx, table)) {
        for (const j of batch) hash.update(j).update('\n');
        rows += batch.length;
      }
      tables[table] = { rows, sha256: hash.digest('hex') };
    }
    return { tables, sequences: await sequences(tx), migrations };
  });
}

export async function sequences(q: Queryable): Promise<Fingerprint['sequences']> {
  const out: Fingerprint['sequences'] = {};
  const { rows } = await q.query<{ name: string }>(`select sequencename as name from pg_sequences where schemaname = 'public' order by sequencename`);
  for (const { name } of rows) {
    const [s] = (await q.query<{ last_value: string; is_called: boolean }>(`select last_value::text, is_called from public.${quoteIdent(name)}`)).rows;
    out[name] = { lastValue: s!.last_value, isCalled: s!.is_called };
  }
  return out;
}

export async function appliedMigrations(q: Queryable): Promise<string[]> {
  const [exists] = (await q.query<{ ok: boolean }>(`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`)).rows;
  if (!exists?.ok) return [];
  return (await q.query<{ hash: string }>(`select hash from drizzle.__drizzle_migrations order by id`)).rows.map((r) => r.hash);
}

/**
 * Where b differs from a. Sequences must be equal, or (`sequences: 'not-behind'`) may be ahead: a
 * snapshot of a running database restores its sequences up to 32 values ahead (Postgres logs them ahead
 * of use), which never reuses an id.
 */
export function differences(a: Fingerprint, b: Fingerprint, opts: { sequences?: 'equal' | 'not-behind' } = {}): string[] {
  const out: string[] = [];
  for (const t of new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])) {
    const x = a.tables[t];
    const y = b.tables[t];
    if (!x || !y) out.push(`table ${t}: only in ${x ? 'the first' : 'the second'}`);
    else if (x.rows !== y.rows) out.push(`table ${t}: ${x.rows} rows, then ${y.rows}`);
    else if (x.sha256 !== y.sha256) out.push(`table ${t}: same ${x.rows} rows but different content`);
  }
  for (const s of new Set([...Object.keys(a.sequences), ...Object.keys(b.sequences)])) {
    const x = a.sequences[s];
    const y = b.sequences[s];
    if (!x || !y) out.push(`sequence ${s}: only in ${x ? 'the first' : 'the second'}`);
    else if (opts.sequences === 'not-behind' ? BigInt(y.lastValue) < BigInt(x.lastValue) : x.lastValue !== y.lastValue || x.isCalled !== y.isCalled) {
      out.push(`sequence ${s}: at ${x.lastValue}, then ${y.lastValue}`);
    }
  }
  if (a.migrations.join() !== b.migrations.join()) out.push(`migrations: ${a.migrations.length} applied, then ${b.migrations.length}`);
  return out;
}

/** One line per table for an operator: name, rows, the start of its hash. */
export function describe(f: Fingerprint): string[] {
  const width = Math.max(...Object.keys(f.tables).map((t) => t.length), 5);
  return Object.entries(f.tables).map(([t, v]) => `${t.padEnd(width)}  ${String(v.rows).padStart(9)} rows  sha256 ${v.sha256.slice(0, 16)}`);
}
