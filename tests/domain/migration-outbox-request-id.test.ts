// Migration 0012 on a database that already has outbox rows (an upgrade, not a fresh install): the rows
// queued before it keep their place and get no request id; rows queued after it carry one.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';

const migrations = fileURLToPath(new URL('../../db/migrations', import.meta.url));
const journal = JSON.parse(readFileSync(join(migrations, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
const THIS = journal.entries.findIndex((e) => e.tag.endsWith('_outbox_request_id'));

/** The migrations folder as it was just before this one. */
function folderBefore(): string {
  const dir = mkdtempSync(join(tmpdir(), 'et-migrations-'));
  cpSync(migrations, dir, { recursive: true });
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, THIS) }));
  return dir;
}

const client = new PGlite();
afterAll(() => client.close());

describe('migration: outbox.request_id', () => {
  it('adds a nullable text column; rows queued before it keep working with no request id', async () => {
    expect(THIS).toBeGreaterThan(0);
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: folderBefore() });
    const before = await client.query<{ n: number }>(
      `select count(*)::int as n from information_schema.columns where table_name = 'outbox' and column_name = 'request_id'`,
    );
    expect(before.rows[0]!.n).toBe(0);
    await client.query(`insert into outbox (kind, payload, ordering_key) values ('request.created', '{"requestId":"r-old"}', 'request:r-old')`);

    await migrate(db, { migrationsFolder: migrations });
    const column = await client.query<{ data_type: string; is_nullable: string }>(
      `select data_type, is_nullable from information_schema.columns where table_name = 'outbox' and column_name = 'request_id'`,
    );
    expect(column.rows).toEqual([{ data_type: 'text', is_nullable: 'YES' }]);
    const old = await client.query<{ request_id: string | null; status: string }>(`select request_id, status from outbox where ordering_key = 'request:r-old'`);
    expect(old.rows).toEqual([{ request_id: null, status: 'pending' }]);
    await client.query(`insert into outbox (kind, payload, request_id) values ('lockout', '{}', 'req-after-upgrade')`);
    const after = await client.query<{ request_id: string }>(`select request_id from outbox where kind = 'lockout'`);
    expect(after.rows).toEqual([{ request_id: 'req-after-upgrade' }]);
  });
});
