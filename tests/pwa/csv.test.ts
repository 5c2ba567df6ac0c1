// The PWA's CSV cells (Generate's download) are neutralised exactly as the server's audit export: each
// value goes through both, the client's csvCell and Postgres's csv_cell from migration 0004, and must
// come out the same.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../pwa/src/lib/csv';

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  const sql = readFileSync(join(import.meta.dirname, '..', '..', 'db', 'migrations', '0004_csv_cell.sql'), 'utf8');
  await db.exec(sql.replaceAll('--> statement-breakpoint', ''));
});
afterAll(() => db?.close());

const VALUES = [
  "=cmd|' /C calc'!A0",
  '+SUM(A1:A9)',
  '-2+3',
  '@HYPERLINK("http://x")',
  '\t=1',
  '\r=1',
  'plain',
  'Siti Rahma',
  'a, b',
  'say "hi"',
  "O'Brien",
  'line\nbreak',
  'ends with =',
  '',
  '123456',
  'Ünïcødé',
];

describe('client CSV cells', () => {
  it.each(VALUES)('%j is rendered as the server renders it', async (v) => {
    const { rows } = await db.query<{ cell: string }>('select csv_cell($1) as cell', [v]);
    expect(csvCell(v)).toBe(rows[0]!.cell);
  });

  it('null is an empty cell on both sides', async () => {
    const { rows } = await db.query<{ cell: string }>('select csv_cell(null) as cell');
    expect(csvCell(null)).toBe(rows[0]!.cell);
  });

  it('a formula never starts a cell', () => {
    for (const v of VALUES) expect(csvCell(v)).not.toMatch(/^[=+@\t\r-]/);
  });
});
