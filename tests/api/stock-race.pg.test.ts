// The low-stock alert when one person's validations overlap (Postgres only: PGlite runs one statement at a
// time, so there they cannot overlap; vitest.config.ts leaves this file out of the embedded run). Each use
// checks what it leaves inside its own statement (api/domain/stock.ts, stockAfterUse). Counted from the
// statement's snapshot, two overlapping uses would each still see the other's token and neither would
// notice the crossing; the check waits for the other use instead and counts what it committed.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent, EVENTS_CHANNEL, type DomainEvent } from '../../api/domain/events';
import { dbRows, generate, quickUser, startHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ LOW_TOKEN_THRESHOLD: '5' }, { postgres: true });
});
afterAll(async () => h.close());

describe('two validations by one person at once', () => {
  it('that together take the stock under the threshold alert, with the stock they leave', async () => {
    const admin = await quickUser(h, 'admin');
    const nurse = await quickUser(h);
    const tokens = await generate(h, admin, { count: 6, userId: nurse.id });
    const lows: DomainEvent[] = [];
    const unlisten = await h.runtime.ctx.database.listen(EVENTS_CHANNEL, (payload) => {
      const e = parseEvent(payload);
      if (e?.type === 'stock.low' && e.userId === nurse.id) lows.push(e);
    });
    // Another session holds the nurse's stock row, so both validations have used their token and wait
    // together; then it lets go and they finish one after the other.
    const holder = new pg.Client({ connectionString: h.db.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from user_stock where user_id = $1 for update', [nurse.id]);
      const validate = (token: string) => h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token, reason: 'two bays at once' } });
      const both = Promise.all([validate(tokens[0]!.token), validate(tokens[1]!.token)]);
      await expect
        .poll(
          async () =>
            (
              await holder.query<{ n: number }>(
                `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
              )
            ).rows[0]!.n,
          { timeout: 10_000 },
        )
        .toBeGreaterThanOrEqual(2);
      await holder.query('commit');
      expect((await both).map((r) => r.status)).toEqual([200, 200]);
    } finally {
      await holder.end();
    }
    const [stock] = await dbRows<{ available: number }>(h, sql`select available from user_stock where user_id = ${nurse.id}`);
    expect(stock!.available).toBe(4);
    await expect.poll(() => lows.length, { timeout: 10_000 }).toBe(1);
    expect(lows[0]).toMatchObject({ type: 'stock.low', available: 4, threshold: 5 });
    const [alert] = await dbRows<{ alerted: boolean }>(h, sql`select alerted from stock_alerts where user_id = ${nurse.id}`);
    expect(alert?.alerted).toBe(true);
    await unlisten();
  });
});
