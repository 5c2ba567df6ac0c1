// Copies every row of one database into another with the same schema (both migrated by this version), in
// one transaction on the target: rows keep their ids (identity columns are written as they are), every
// sequence ends where the source's is, and the source's derived rows (stock counters) and audit trail are
// copied as they are rather than recomputed. The target's own triggers are switched off for the copy and
// on again before commit: they would recount counters and refuse nothing here (the audit trail's
// append-only trigger guards UPDATE, DELETE and TRUNCATE), and a trigger that derives a column on insert
// must not rewrite a copied value. Foreign keys stay checked, so tables go parents first.
import { listTables, quoteIdent, sequences, tableRows, type Queryable, type TxQueryable } from './fingerprint';

export class TargetNotEmpty extends Error {}

/**
 * Whether the target has been used: rows in these tables. Every change a person makes writes its audit
 * event in the change's own transaction, and the first admin is a user, so a target with neither holds
 * only what its migrations wrote (the audit chains' heads, the rollups' states, whatever a later
 * migration seeds), which the copy replaces with the source's rows.
 */
const USED_WHEN_ROWS_IN = ['users', 'audit_events'];

/** Tables ordered so that every table comes after the tables its foreign keys point to. */
export async function parentsFirst(q: Queryable, tables: string[]): Promise<string[]> {
  const { rows } = await q.query<{ child: string; parent: string }>(
    `select ch.relname as child, pa.relname as parent
     from pg_constraint c
     join pg_class ch on ch.oid = c.conrelid join pg_namespace n on n.oid = ch.relnamespace
     join pg_class pa on pa.oid = c.confrelid
     where c.contype = 'f' and n.nspname = 'public' and c.conrelid <> c.confrelid`,
  );
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const r of rows) parents.get(r.child)?.add(r.parent);
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (ordered.includes(t)) return;
    if (visiting.has(t)) throw new Error(`foreign keys form a cycle through ${t}`);
    visiting.add(t);
    for (const p of parents.get(t) ?? []) if (parents.has(p)) visit(p);
    visiting.delete(t);
    ordered.push(t);
  };
  for (const t of tables) visit(t);
  return ordered;
}

/** Columns an INSERT may write (not dropped, not generated). */
async function writableColumns(q: Queryable, table: string): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(
    `select attname as name from pg_attribute
     where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = ''
     order by attnum`,
    [`public.${quoteIdent(table)}`],
  );
  return rows.map((r) => r.name);
}

export interface CopyReport {
  tables: Array<{ table: string; rows: number }>;
  sequences: number;
}

/**
 * Copy everything from source into target. The target must be unused (a freshly migrated database, see
 * USED_WHEN_ROWS_IN); it is checked inside the copying transaction, so nothing is half-copied on any failure.
 */
export async function copyDatabase(source: TxQueryable, target: TxQueryable, onTable: (table: string, rows: number) => void = () => {}): Promise<CopyReport> {
  const tables = await listTables(source);
  const targetTables = await listTables(target);
  if (tables.join() !== targetTables.join()) throw new Error(`the two databases have different tables: ${tables.join(', ')} / ${targetTables.join(', ')}`);
  const order = await parentsFirst(target, tables);

  return source.transaction((src) =>
    target.transaction(async (dst) => {
      for (const t of USED_WHEN_ROWS_IN) {
        const [row] = (await dst.query<{ any: boolean }>(`select exists (select 1 from public.${quoteIdent(t)}) as any`)).rows;
        if (row?.any) throw new TargetNotEmpty(`the target already holds rows in ${t}: moving needs an empty database`);
      }
      for (const t of order) await dst.query(`alter table public.${quoteIdent(t)} disable trigger user`);
      // Children before parents: the foreign keys stay checked.
      for (const t of [...order].reverse()) await dst.query(`delete from public.${quoteIdent(t)}`);
      const report: CopyReport = { tables: [], sequences: 0 };
      for (const t of order) {
        const cols = (await writableColumns(dst, t)).map(quoteIdent).join(', ');
        let n = 0;
        for await (const batch of tableRows(src, t)) {
          await dst.query(
            `insert into public.${quoteIdent(t)} (${cols}) overriding system value
             select ${cols} from json_populate_recordset(null::public.${quoteIdent(t)}, $1::json)`,
            [`[${batch.join(',')}]`],
          );
          n += batch.length;
        }
        report.tables.push({ table: t, rows: n });
        onTable(t, n);
      }
      for (const t of order) await dst.query(`alter table public.${quoteIdent(t)} enable trigger user`);
      for (const [name, s] of Object.entries(await sequences(src))) {
        await dst.query(`select setval($1::regclass, $2::bigint, $3::boolean)`, [`public.${quoteIdent(name)}`, s.lastValue, s.isCalled]);
        report.sequences++;
      }
      return report;
    }),
  );
}
