// A field of a row or payload that TypeScript knows (a value, sent as a parameter) or that the statement
// computes (an SQL expression, e.g. a column of an earlier CTE). The fragment builders in this folder
// take either, so the code that writes one row and the hot path that writes it inside a larger statement
// share one builder.
import { is, sql, SQL } from 'drizzle-orm';

export type Val<T> = T | SQL;

export const isSql = (v: unknown): v is SQL => is(v, SQL);

/** The value as an SQL expression of the given type. */
export const val = (v: unknown, type: string): SQL => (isSql(v) ? sql`(${v})::${sql.raw(type)}` : sql`${v ?? null}::${sql.raw(type)}`);

/** A JSON object whose fields may be SQL expressions; plain values go as one jsonb parameter. */
export function jsonbObject(fields: Record<string, unknown>): SQL {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (!entries.some(([, v]) => isSql(v))) return sql`${JSON.stringify(Object.fromEntries(entries))}::jsonb`;
  return sql`jsonb_build_object(${sql.join(
    entries.map(([k, v]) => sql`${sql.raw(literal(k))}, ${isSql(v) ? v : sql`${JSON.stringify(v)}::jsonb`}`),
    sql`, `,
  )})`;
}

/** A key written in code (never input) as an SQL string literal. */
export function literal(key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key)) throw new Error(`not a plain key: ${key}`);
  return `'${key}'`;
}
