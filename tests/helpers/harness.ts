// The test harness: the real runtime (Hono app, domain, database) on a fresh database, an HTTP client
// that goes through the app, and factories that make uniquely named users with sessions.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../api/config';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../api/runtime';
import { createLogger } from '../../api/logger';
import type { Role, User } from '../../db/schema';
import { createUser } from '../../api/domain/users';
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

export type Http = <T = any>(method: string, path: string, opts?: { body?: unknown; raw?: string; cookie?: string; headers?: Record<string, string> }) => Promise<Reply<T>>;

export async function startHarness(env: Record<string, string> = {}, opts: Omit<RuntimeOptions, 'database'> = {}): Promise<Harness> {
  const db = await freshDatabase();
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'et-test-')),
    APP_SECRET: randomBytes(32).toString('hex'),
    ADMIN_USERNAME: 'root',
    ADMIN_PASSWORD: 'root-password-1',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const runtime = await createRuntime(config, { logger: createLogger('silent'), background: false, ...opts, database: db.database });

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
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
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
