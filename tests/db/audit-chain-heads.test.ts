// Which chain an audit event lands on when other transactions hold chains (migration 0019): a free chain
// is taken without waiting wherever it sits, below or above this connection's own starting chain, and
// only when every chain is held does a writer wait. Postgres only: PGlite has one connection.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, postgresAvailable, type TestDatabase } from '../helpers/database';

describe.runIf(postgresAvailable)('audit chain heads under held chains (Postgres)', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let holder: pg.Client;
  let writer: pg.Client;

  beforeAll(async () => {
    db = await freshDatabase({ postgres: true });
    holder = new pg.Client({ connectionString: db.url });
    writer = new pg.Client({ connectionString: db.url });
    await Promise.all([holder.connect(), writer.connect()]);
    // A wait for a head would show as an error rather than a hang.
    await writer.query(`set lock_timeout = '3s'`);
  });
  afterAll(async () => {
    await Promise.all([holder?.end(), writer?.end()]);
    await db?.drop();
  });

  const write = async () => {
    const { rows } = await writer.query<{ chain: number }>(
      `insert into audit_events (action, outcome, ip, details) values ('settings.updated', 'success', '10.0.0.9', '{}') returning chain`,
    );
    return rows[0]!.chain;
  };
  const pid = async (c: pg.Client) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

  it('takes the only free chain whether it lies above or below where this connection starts', async () => {
    const start = (await pid(writer)) % 64;
    for (const free of [0, 63, start]) {
      await holder.query('begin');
      await holder.query('select chain from audit_chain_heads where chain <> $1 for update', [free]);
      try {
        expect(await write()).toBe(free);
      } finally {
        await holder.query('rollback');
      }
    }
  });

  it('with every chain held, waits for one and then writes on it', async () => {
    await holder.query('begin');
    await holder.query('select chain from audit_chain_heads for update');
    await writer.query(`set lock_timeout = '200ms'`);
    try {
      await expect(write()).rejects.toMatchObject({ code: '55P03' });
      await writer.query(`set lock_timeout = '10s'`);
      const writerPid = await pid(writer);
      const waiting = write();
      // Released only once the writer is seen waiting on a lock.
      for (let seen = false; !seen;) {
        const { rows } = await holder.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [
          writerPid,
        ]);
        seen = rows[0]!.n === 1;
      }
      await holder.query('rollback');
      expect(await waiting).toBeGreaterThanOrEqual(0);
    } finally {
      await holder.query('rollback');
      await writer.query(`set lock_timeout = '3s'`);
    }
  });

  it('moves the head of the chain it wrote to, and only that one', async () => {
    const before = await holder.query<{ chain: number; seq: string }>('select chain, seq::text from audit_chain_heads order by chain');
    const chain = await write();
    const after = await holder.query<{ chain: number; seq: string; event_id: string }>(
      'select chain, seq::text, event_id::text from audit_chain_heads order by chain',
    );
    const moved = after.rows.filter((r, i) => r.seq !== before.rows[i]!.seq);
    const [last] = (await holder.query<{ id: string; chain_seq: string }>('select id::text, chain_seq::text from audit_events order by id desc limit 1')).rows;
    expect(moved).toEqual([{ chain, seq: last!.chain_seq, event_id: last!.id }]);
  });
});
