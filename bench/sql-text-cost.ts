// What the server spends on the validation statement before it is sent (bench/notes.md, "Issue 12:
// what a validation costs each process, and three cuts"): the domain's validateToken is run up to the
// point where it hands its statement to Database.prepared (captured there, as bench/pgbench/setup.ts
// does): the HMAC of the code, the input rules and the statement bound to its values (before, the
// statement was also built and then rendered to text by drizzle here: 30 + 42-44 µs). No database is
// involved. `npx tsx bench/sql-text-cost.ts`
import { validateToken } from '../api/domain/tokens';
import type { Ctx } from '../api/domain/context';
import { loadConfig } from '../api/config';
import { capturingDatabase } from './lib/capture';

const capture = capturingDatabase();
const ctx = { db: {}, database: capture.database, config: loadConfig({ APP_SECRET: 'x'.repeat(64) }) } as Ctx;
const actor = { id: '00000000-0000-4000-8000-00000000abcd', role: 'staff' as const, ip: '127.0.0.1' };
const input = { token: '123456', reason: 'bench', patientRef: 'MRN-1' };
const N = 20000;
// Warm up, then time the path up to the statement.
for (let i = 0; i < 2000; i++) await validateToken(ctx, actor, input).catch(() => {});
const t = performance.now();
for (let i = 0; i < N; i++) await validateToken(ctx, actor, input).catch(() => {});
const perCall = ((performance.now() - t) / N) * 1000;
console.log(
  `per call, up to the bound statement (incl. hmac, parse, throw): ${perCall.toFixed(1)} µs; text ${capture.statement().text.length} chars, rendered once per shape`,
);
