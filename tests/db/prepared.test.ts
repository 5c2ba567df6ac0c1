// Database.prepared inside a transaction (the validation miss path runs its statements this way): the
// statement runs on the transaction's own connection, so it sees the transaction's uncommitted writes and
// its own writes roll back with it; and a statement first prepared in a transaction that rolled back can
// be run again afterwards, inside a transaction or on its own. On PGlite and on Postgres alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDatabase, type TestDatabase } from '../helpers/database';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => t.drop());

const countKey = (key: string) => sql`select count(*)::int as n from attempt_counters where key = ${key}`;
const addKey = (key: string) => sql`insert into attempt_counters (key, failed_at) values (${key}, '{}') returning key`;

describe('Database.prepared in a transaction', () => {
  it("sees the transaction's own writes, and its writes roll back with it", async () => {
    const { database } = t;
    await expect(
      database.db.transaction(async (tx) => {
        await database.prepared('test_add_key', addKey('prepared-a'), tx);
        const [inside] = await database.prepared<{ n: number }>('test_count_key', countKey('prepared-a'), tx);
        expect(inside!.n).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [after] = await database.prepared<{ n: number }>('test_count_key', countKey('prepared-a'));
    expect(after!.n).toBe(0);
  });

  it('runs again after the transaction that first prepared it rolled back, in a transaction and on its own', async () => {
    const { database } = t;
    await database.db.transaction(async (tx) => {
      await database.prepared('test_add_key', addKey('prepared-b'), tx);
    });
    const [own] = await database.prepared<{ n: number }>('test_count_key', countKey('prepared-b'));
    expect(own!.n).toBe(1);
    const [inTx] = await database.db.transaction((tx) => database.prepared<{ n: number }>('test_count_key', countKey('prepared-b'), tx));
    expect(inTx!.n).toBe(1);
  });
});
