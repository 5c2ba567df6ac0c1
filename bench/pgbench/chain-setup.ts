// The audit chain's own cost, at the database (bench/notes.md, "Audit chain heads"):
// `tsx bench/pgbench/chain-setup.ts <postgres url> <out dir>` creates a scratch database migrated by the
// app (20,000 users, 200k audit events) and writes insert.sql, one audit event per transaction, for
// chain-ab.sh. Prints the database's URL.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createScratchDatabase } from '../../tests/helpers/database';
import { openDatabase } from '../../db/client';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) throw new Error('usage: tsx bench/pgbench/chain-setup.ts <postgres url> <out dir>');
const url = await createScratchDatabase(base, 'et_chain');
const database = await openDatabase({ databaseUrl: url, dataDir: '' });
await database.close();
const pool = new pg.Pool({ connectionString: url, max: 2 });
await pool.query(`insert into users (id, username, name, role) select md5('u' || g)::uuid, 'ab-' || g, 'AB ' || g, 'staff' from generate_series(1, 20000) g`);
await pool.query(`insert into audit_events (action, outcome, actor_id, subject_user_id, details)
  select 'token.validated', 'success', md5('u' || (g % 20000 + 1))::uuid, md5('u' || (g % 20000 + 1))::uuid, '{}'::jsonb from generate_series(1, 200000) g`);
// The chain switched off leaves chain -1 on its events; the unique index must not see them.
await pool.query('drop index audit_chain_seq_idx');
await pool.query('create unique index audit_chain_seq_idx on audit_events (chain, chain_seq) where chain >= 0');
await pool.query('vacuum analyze');
await pool.end();
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'insert.sql'),
  `\\set u random(1, 20000)
insert into audit_events (action, outcome, actor_id, subject_user_id, ip, details) values ('token.validated', 'success', md5('u' || :u)::uuid, md5('u' || :u)::uuid, '10.0.0.1', '{"reason":"ward round","patientRef":"MRN-1"}');
`,
);
console.log(url);
