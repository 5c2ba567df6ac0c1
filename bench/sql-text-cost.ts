// What the server spends turning the validation statement into text on every request, although Postgres
// prepares it once per connection (bench/notes.md, "Issue 12: the statement's text, built per request"):
// the domain's validateToken is run up to the point where it hands its statement to Database.prepared
// (captured there, as bench/pgbench/setup.ts does), then drizzle's sqlToQuery of that statement is timed
// on its own. No database is involved. `npx tsx bench/sql-text-cost.ts`
import { PgDialect } from 'drizzle-orm/pg-core';
import { validateToken } from '../api/domain/tokens';
import type { Ctx } from '../api/domain/context';
import { loadConfig } from '../api/config';
import { capturingDatabase } from './lib/capture';

const dialect = new PgDialect();
const capture = capturingDatabase();
const ctx = { db: {}, database: capture.database, config: loadConfig({ APP_SECRET: 'x'.repeat(64) }) } as Ctx;
const actor = { id: '00000000-0000-4000-8000-00000000abcd', role: 'staff' as const, ip: '127.0.0.1' };
const input = { token: '123456', reason: 'bench', patientRef: 'MRN-1' };
const N = 20000;
// Warm up, then time the path up to the statement (HMAC of the code, input rules, the statement built).
for (let i = 0; i < 2000; i++) await validateToken(ctx, actor, input).catch(() => {});
let t = performance.now();
for (let i = 0; i < N; i++) await validateToken(ctx, actor, input).catch(() => {});
const build = ((performance.now() - t) / N) * 1000;
t = performance.now();
for (let i = 0; i < N; i++) dialect.sqlToQuery(capture.statement());
const toQuery = ((performance.now() - t) / N) * 1000;
console.log(
  `build (incl. hmac, parse, throw) ${build.toFixed(1)} µs, sqlToQuery ${toQuery.toFixed(1)} µs, text ${dialect.sqlToQuery(capture.statement()).sql.length} chars`,
);
