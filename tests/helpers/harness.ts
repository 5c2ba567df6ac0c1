// The test harness: the real runtime (Hono app, domain, database) on a fresh database, an HTTP client
// that goes through the app, and factories that make uniquely named users with sessions.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../api/config';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../api/runtime';
import { createLogger } from '../../api/logger';
import { testLogSink } from './logs';
import type { Role, User } from '../../db/schema';
import { createUser } from '../../api/domain/users';
import { createSignInCode } from '../../api/domain/auth';
import { sql, type SQL } from 'drizzle-orm';
import { rows } from '../../db/client';
import { freshDatabase, type TestDatabase } from './database';

export interface Harness {
  runtime: Runtime;
  config: Config;
  db: TestDatabase;
  http: Http;
  user(role?: Role, extra?: { slackUserId?: string; name?: string }): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUser extends User {
  cookie: string;
  password: string;
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export type Http = <T = any>(
  method: string,
  path: string,
  opts?: { body?: unknown; raw?: string; cookie?: string; headers?: Record<string, string> },
) => Promise<Reply<T>>;

export async function startHarness(env: Record<string, string> = {}, opts: Omit<RuntimeOptions, 'database'> & { postgres?: boolean } = {}): Promise<Harness> {
  const { postgres, ...runtimeOpts } = opts;
  // The pool settings of the environment apply to the test database too (resilience tests use a tiny pool).
  const db = await freshDatabase({
    ...(postgres && { postgres }),
    ...(env.DATABASE_POOL_SIZE && { poolSize: Number(env.DATABASE_POOL_SIZE) }),
    ...(env.DATABASE_ACQUIRE_TIMEOUT_MS && { acquireTimeoutMs: Number(env.DATABASE_ACQUIRE_TIMEOUT_MS) }),
  });
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'et-test-')),
    APP_SECRET: randomBytes(32).toString('hex'),
    ADMIN_USERNAME: 'root',
    ADMIN_PASSWORD: 'root-password-1',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const runtime = await createRuntime(config, { logger: createLogger('warn', testLogSink), background: false, ...runtimeOpts, database: db.database });

  const http: Http = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    if (o.cookie) headers.cookie = o.cookie;
    const res = await runtime.app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (CSV, HTML): the text is there
    }
    return { status: res.status, headers: res.headers, body: parsed as any, text };
  };

  let n = 0;
  const user = async (role: Role = 'staff', extra: { slackUserId?: string; name?: string } = {}): Promise<TestUser> => {
    const username = `${role}-${++n}-${randomBytes(3).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const created = await createUser(runtime.ctx, null, { username, name: extra.name ?? `Test ${role} ${n}`, role, password, slackUserId: extra.slackUserId });
    const res = await http('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login failed for ${username}: ${res.status} ${res.text}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    return { ...created, cookie, password };
  };

  return {
    runtime,
    config,
    db,
    http,
    user,
    async close() {
      await runtime.close().catch(() => {});
      if (db.url) await db.drop();
    },
  };
}

/** Generate tokens as `admin` through the API and return their plaintexts. */
export async function generate(h: Harness, admin: TestUser, body: { count: number; length?: number; userId?: string | null; expiresInDays?: number }) {
  const res = await h.http<{ tokens: Array<{ id: string; token: string }> }>('POST', '/api/v1/tokens/generate', { cookie: admin.cookie, body });
  if (res.status !== 201) throw new Error(`generate failed: ${res.status} ${res.text}`);
  return res.body.tokens;
}

// ---------------------------------------------------------------------------------------------------------
// Additions for the API suite (tests/api): fast sessions, raw SQL, and error-shape assertions.

/**
 * A user signed in through the real one-time-code route (POST /auth/slack-link). No password, so no scrypt:
 * fifty of these cost what two password users do. Use `h.user()` when the test needs a password.
 */
export async function quickUser(h: Harness, role: Role = 'staff', extra: { slackUserId?: string; name?: string } = {}): Promise<TestUser> {
  const username = `q-${role}-${randomBytes(5).toString('hex')}`;
  const created = await createUser(h.runtime.ctx, null, { username, name: extra.name ?? `Quick ${role}`, role, slackUserId: extra.slackUserId });
  const { code } = await createSignInCode(h.runtime.ctx, created.id);
  const res = await h.http('POST', '/api/v1/auth/slack-link', { body: { code } });
  if (res.status !== 200) throw new Error(`slack-link sign-in failed for ${username}: ${res.status} ${res.text}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { ...created, cookie, password: '' };
}

/** Rows of a raw SQL query on the harness database (drizzle `sql` template, so values are parameters). */
export async function dbRows<T = Record<string, unknown>>(h: Harness, query: SQL): Promise<T[]> {
  return rows<T>(h.runtime.ctx.db, query);
}

/** How many rows a table holds (optionally narrowed by a raw SQL condition). */
export async function countRows(h: Harness, table: string, where?: SQL): Promise<number> {
  const q = where ? sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}` : sql`select count(*)::int as n from ${sql.identifier(table)}`;
  const [row] = await dbRows<{ n: number }>(h, q);
  return row!.n;
}

/** Row counts of every table in the public schema, for "changes nothing" checks. */
export async function tableCounts(h: Harness): Promise<Record<string, number>> {
  const tables = await dbRows<{ table_name: string }>(
    h,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const out: Record<string, number> = {};
  for (const t of tables) out[t.table_name] = await countRows(h, t.table_name);
  return out;
}

/** The reply is an error in the contract's shape with this status and code, and leaks nothing internal. */
export function expectError(res: Reply, status: number, code: string): void {
  const where = `${res.status} ${res.text.slice(0, 300)}`;
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${where}`);
  const err = (res.body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (!err || err.code !== code) throw new Error(`expected error code ${code}, got ${where}`);
  if (typeof err.message !== 'string' || err.message.length === 0) throw new Error(`error without a message: ${where}`);
  if (err.details !== undefined && (typeof err.details !== 'object' || err.details === null || Array.isArray(err.details)))
    throw new Error(`details is not an object: ${where}`);
  const extra = Object.keys(res.body as object).filter((k) => k !== 'error');
  if (extra.length) throw new Error(`error body has extra top-level keys ${extra.join(',')}: ${where}`);
  const leak = leakIn(res.text);
  if (leak) throw new Error(`error body leaks internals (${leak}): ${where}`);
}

/** A stack frame, a source path or SQL in a response body. */
export function leakIn(text: string): string | null {
  const patterns: Array<[string, RegExp]> = [
    ['stack frame', /\bat\s+\S+\s+\(?[^)\s]*:\d+:\d+\)?/],
    ['source path', /(node_modules|\/work\/|\.ts:\d+|file:\/\/)/],
    ['SQL', /\b(select\s+.+\s+from|insert\s+into|update\s+\S+\s+set|delete\s+from)\b/i],
    ['driver error', /(violates|syntax error at|relation "|duplicate key|PGlite|ECONNREFUSED)/i],
  ];
  for (const [name, re] of patterns) if (re.test(text)) return name;
  return null;
}
