// The keyset page predicate every list uses: rows strictly after the cursor's row in the list's order, so
// a deep page costs what the first one does. The cursor names a row by id; the sub-select reads its sort
// key (inside it, the table's own name refers to the sub-select's row).
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

export interface Keyset {
  table: PgTable;
  /** The sort key, ending with the id (unique). */
  order: SQLWrapper[];
  id: PgColumn;
  /** 'desc' (newest first, the default) or 'asc'. */
  direction?: 'asc' | 'desc';
}

/** Rows after the row `cursor` names (ids compared as text, so a malformed cursor matches nothing). */
export function afterCursor(k: Keyset, cursor: string | number | bigint): SQL {
  const key = sql.join(k.order, sql`, `);
  const match = typeof cursor === 'string' ? sql`${k.id}::text = ${cursor}` : sql`${k.id} = ${cursor}`;
  return sql`(${key}) ${k.direction === 'asc' ? sql`>` : sql`<`} (select ${key} from ${k.table} where ${match})`;
}
