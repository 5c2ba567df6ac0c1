// The server's Postgres connections run without JIT. Its statements are short index reads, but their
// estimates can cross jit_above_cost: the top users ranking (series-top-users.ts) estimated its edge ranges
// large and, in the bench, spent ~35 ms compiling for ~1.5 ms of work on every request.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../helpers/database';

describe.runIf(postgresAvailable)('JIT on the server connections (Postgres)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase({ postgres: true });
  });
  afterAll(async () => t?.drop());

  it('is off on every connection of the pool', async () => {
    const settings = await Promise.all(
      Array.from({ length: 8 }, () => t.database.db.transaction((tx) => rows<{ jit: string }>(tx, sql`select current_setting('jit') as jit`))),
    );
    expect(settings.map((s) => s[0]!.jit)).toEqual(Array(8).fill('off'));
  });

  it('so a statement whose estimate crosses jit_above_cost is not compiled', async () => {
    const plan = await t.database.db.transaction(async (tx) => {
      // Every plan crosses a threshold of 0: with JIT on, this one would be compiled.
      await rows(tx, sql`set local jit_above_cost = 0`);
      const explained = await rows<{ 'QUERY PLAN': unknown }>(
        tx,
        sql`explain (analyze, format json) select count(*) from audit_events where at > now() - interval '1 day'`,
      );
      return JSON.stringify(explained[0]!['QUERY PLAN']);
    });
    expect(plan).toContain('"Plan"');
    expect(plan).not.toContain('"JIT"');
  });
});
