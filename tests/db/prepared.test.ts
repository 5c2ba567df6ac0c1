// Database.prepared inside a transaction (the validation miss path runs its statements this way): the
// statement runs on the transaction's own connection, so it sees the transaction's uncommitted writes and
// its own writes roll back with it; and a statement first prepared in a transaction that rolled back can
// be run again afterwards, inside a transaction or on its own. On PGlite and on Postgres alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { param, rendered, Statement } from '../../db/statement';
import { freshDatabase, type TestDatabase } from '../helpers/database';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => t.drop());

const countKey = (key: string) => new Statement('test_count_key', sql`select count(*)::int as n from attempt_counters where key = ${key}`);
const addKey = (key: string) => new Statement('test_add_key', sql`insert into attempt_counters (key, failed_at) values (${key}, '{}') returning key`);

describe('Database.prepared in a transaction', () => {
  it("sees the transaction's own writes, and its writes roll back with it", async () => {
    const { database } = t;
    await expect(
      database.db.transaction(async (tx) => {
        await database.prepared(addKey('prepared-a'), tx);
        const [inside] = await database.prepared<{ n: number }>(countKey('prepared-a'), tx);
        expect(inside!.n).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [after] = await database.prepared<{ n: number }>(countKey('prepared-a'));
    expect(after!.n).toBe(0);
  });

  it('runs again after the transaction that first prepared it rolled back, in a transaction and on its own', async () => {
    const { database } = t;
    await database.db.transaction(async (tx) => {
      await database.prepared(addKey('prepared-b'), tx);
    });
    const [own] = await database.prepared<{ n: number }>(countKey('prepared-b'));
    expect(own!.n).toBe(1);
    const [inTx] = await database.db.transaction((tx) => database.prepared<{ n: number }>(countKey('prepared-b'), tx));
    expect(inTx!.n).toBe(1);
  });
});

// The hot paths' statements are rendered once with placeholders and bound per call (db/statement.ts).
describe('A statement rendered once and bound per call', () => {
  const countOf = rendered('test_count_of', (shape: 'exact' | 'prefix') =>
    shape === 'exact'
      ? sql`select count(*)::int as n from attempt_counters where key = ${param('key')}`
      : sql`select count(*)::int as n from attempt_counters where key like ${param('key')} || '%'`,
  );

  it('answers for the values it is bound to, on its own and in a transaction, quotes and all', async () => {
    const { database } = t;
    await database.prepared(addKey("bound-o'brien"));
    await database.prepared(addKey('bound-other'));
    const count = async (shape: 'exact' | 'prefix', key: string) => (await database.prepared<{ n: number }>(countOf(shape).with({ key })))[0]!.n;
    expect(await count('exact', "bound-o'brien")).toBe(1);
    expect(await count('exact', 'bound-nobody')).toBe(0);
    expect(await count('prefix', 'bound-')).toBe(2);
    const [inTx] = await database.db.transaction((tx) => database.prepared<{ n: number }>(countOf('exact').with({ key: 'bound-other' }), tx));
    expect(inTx!.n).toBe(1);
  });

  it('is rendered once per shape, and refuses to run with a value missing or unbound', async () => {
    expect(countOf('exact')).toBe(countOf('exact'));
    expect(countOf('exact').key).not.toBe(countOf('prefix').key);
    expect(countOf('exact').text).toContain('key = $1');
    expect(() => countOf('exact').with({})).toThrow(/placeholder "key"/);
    await expect(t.database.prepared(countOf('exact'))).rejects.toThrow(/bind it with/);
  });

  // On PGlite the values travel as quoted literals in an EXECUTE sent by the simple protocol, where a
  // literal that ended early would run what follows it as statements of its own.
  it('carries hostile text exactly, whatever standard_conforming_strings says, and runs nothing else', async () => {
    const { database } = t;
    await database.prepared(addKey('hostile-witness'));
    const hostile = ["o'brien", "x'); delete from attempt_counters; --", "back\\slash\\'; delete from attempt_counters; --", "\\\\''\\", 'ünïcødé ☃ 患者'];
    const echo = (v: string) => new Statement('test_echo', sql`select ${v}::text as v`);
    for (const v of hostile) expect((await database.prepared<{ v: string }>(echo(v)))[0]!.v).toBe(v);
    const inTx = await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local standard_conforming_strings = off`);
      const out: string[] = [];
      for (const v of hostile) out.push((await database.prepared<{ v: string }>(echo(v), tx))[0]!.v);
      return out;
    });
    expect(inTx).toEqual(hostile);
    const [left] = await database.prepared<{ n: number }>(countKey('hostile-witness'));
    expect(left!.n).toBe(1);
  });
});
