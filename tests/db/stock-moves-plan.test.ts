// The stock rollup reads only the token moves of its time range (migration 0020): every scan of `tokens`
// in its plan is an index range on the time that term is about. Before 0020 the term for tokens revoked
// after their expiry had no index on that expiry and read every revoked token, on every stock request
// (137 ms against 6.6 ms for the rollup at 1M tokens; bench/notes.md). A plan, not a timing: the test
// holds the shape that makes it fast.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { tokenMoves } from '../../api/domain/series-stock';
import { freshDatabase, type TestDatabase } from '../helpers/database';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const scansOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(scansOf)].filter((n) => n['Relation Name'] === 'tokens');

describe('stock rollup plan', { timeout: 60_000 }, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
    const ex = db.database.db;
    await rows(ex, sql`insert into users (id, username, name, role) values ('00000000-0000-4000-8000-000000000001', 'plan', 'Plan', 'staff')`);
    // Many tokens in every status, revoked ones with and without a revocation time, over a year.
    await rows(
      ex,
      sql`insert into tokens (hash, length, status, user_id, used_by, used_at, revoked_at, expires_at, created_at)
          select md5(g::text), 6, (array['available', 'used', 'expired', 'revoked'])[1 + g % 4]::token_status,
                 '00000000-0000-4000-8000-000000000001', case when g % 4 = 1 then '00000000-0000-4000-8000-000000000001'::uuid end,
                 case when g % 4 = 1 then now() - (g % 500000) * interval '1 minute' end,
                 case when g % 8 = 3 then now() - (g % 500000) * interval '1 minute' end,
                 now() - (g % 500000) * interval '1 minute' + interval '60 days',
                 now() - (g % 500000) * interval '1 minute' - interval '1 day'
          from generate_series(1, 40000) g`,
    );
    await rows(ex, sql`analyze tokens`);
  });
  afterAll(async () => db?.drop());

  it('reads each kind of move by an index range on its own time', async () => {
    const [row] = await rows<{ 'QUERY PLAN': unknown }>(
      db.database.db,
      sql`explain (format json) select * from (${tokenMoves(sql`now() - interval '10 minutes'`, sql`now()`)}) m`,
    );
    const plan = row!['QUERY PLAN'];
    const root = (typeof plan === 'string' ? JSON.parse(plan) : plan) as Array<{ Plan: PlanNode }>;
    const scans = scansOf(root[0]!.Plan);
    // One scan per term at least (the creations term may scan once per status).
    expect(scans.length).toBeGreaterThanOrEqual(6);
    for (const scan of scans) {
      expect(scan['Node Type'], JSON.stringify(scan)).toMatch(/Index|Bitmap Heap/);
      const cond = scan['Index Cond'] ?? JSON.stringify(scan.Plans ?? []);
      expect(cond, `${scan['Index Name'] ?? ''}: ${cond}`).toMatch(/created_at|used_at|revoked_at|expires_at/);
    }
  });
});
