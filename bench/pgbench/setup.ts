// A/B experiments on the validation statement with pgbench (bench/notes.md, "Issue 12, next costs").
// `tsx bench/pgbench/setup.ts <postgres url> <out dir>` creates a scratch database (migrated by the app,
// 20,000 users, 1M general tokens, 200k audit events), renders the success statement exactly as
// consumeAndOpen sends it, and writes pgbench scripts to <out dir>: floor.sql (one UPDATE ... RETURNING),
// validate.sql (the statement; it returns its events' payloads and sends no NOTIFY since db/notifier.ts
// sends them after it). Each transaction takes the next token from a
// sequence (an InitPlan, evaluated once), so no run ever misses. Prints the database's URL.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createScratchDatabase } from '../../tests/helpers/database';
import { openDatabase } from '../../db/client';
import { capturingDatabase } from '../lib/capture';
import { loadConfig } from '../../api/config';
import { validateToken } from '../../api/domain/tokens';
import { tokenHash } from '../../api/domain/crypto';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) throw new Error('usage: tsx bench/pgbench/setup.ts <postgres url> <out dir>');
const USERS = 20_000;
const dbUrl = await createScratchDatabase(base, 'et_ab');
const database = await openDatabase({ databaseUrl: dbUrl, dataDir: '' });
const config = loadConfig({ DATABASE_URL: dbUrl, APP_SECRET: 'x'.repeat(64), LOCKOUT_ATTEMPTS: '100' });
const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
await pool.query(`insert into users (id, username, name, role)
  select md5('u' || g)::uuid, 'ab-' || g, 'AB ' || g, 'staff' from generate_series(1, ${USERS}) g`);
await pool.query(`insert into tokens (hash, length, status, expires_at)
  select 'h' || g, 6, 'available', now() + interval '30 days' from generate_series(1, 1000000) g`);
await pool.query(`insert into audit_events (action, outcome, actor_id, subject_user_id, details)
  select 'token.validated', 'success', md5('u' || (g % ${USERS}))::uuid, md5('u' || (g % ${USERS}))::uuid, '{}'::jsonb
  from generate_series(1, 200000) g`);
await pool.query('create sequence ab_seq');
await pool.query('vacuum analyze');
await pool.end();

// The statement as sent: capture what validateToken hands to Database.prepared, then stop it there.
const USER = '00000000-0000-4000-8000-00000000abcd';
const capture = capturingDatabase(database);
await validateToken(
  { db: database.db, database: capture.database, config },
  { id: USER, role: 'staff', ip: '127.0.0.1' },
  { token: '123456', reason: 'bench', patientRef: 'MRN-1' },
).catch(() => {});
await database.close();
const { text: capturedText, values: capturedParams } = capture.statement();
const hash = tokenHash(config.secret, '123456');
const asPgbench = (text: string) =>
  text.replace(/\$(\d+)/g, (_, i: string) => {
    const v = capturedParams[Number(i) - 1];
    if (v === USER) return `(md5('u' || :u)::uuid)`;
    if (v === `validate:${USER}`) return `('validate:' || md5('u' || :u)::uuid::text)`;
    if (v === hash) return `(select 'h' || nextval('ab_seq'))`;
    if (v === null) return 'null';
    if (typeof v === 'number') return String(v);
    return `'${String(v).replace(/'/g, "''")}'`;
  });
const pick = `\\set u random(1, ${USERS})\n`;
// pgbench takes every ":name" as a variable, even inside a string literal: the timestamp format's colons
// become dots (the same work for to_char).
const statement = asPgbench(capturedText)
  .replace(/\s+/g, ' ')
  .replace(/HH24:MI:SS/g, 'HH24.MI.SS');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'validate.sql'), `${pick}${statement};\n`);
writeFileSync(
  join(outDir, 'floor.sql'),
  `update tokens set status = 'used', used_at = now() where hash = (select 'h' || nextval('ab_seq')) and status = 'available' returning id;\n`,
);
console.log(dbUrl);
