// Postgres restarting and going away under load, with the real server as its own process on a throwaway
// cluster (cluster.ts; run by `npm run test:resilience`, from .ci/run):
// - a restart (`pg_ctl restart -m fast`) under 32 concurrent clients creating requests and validating
//   tokens: the server never exits, every answer is a success or a 503 `unavailable` with Retry-After
//   (no 500, no dropped connection), and every acknowledged success has its audit event;
// - a 6 s outage: /readyz says 503 (database and event listener down) during it and 200 after; SSE
//   streams opened before the outage are told to refetch (`resume`) and, like new streams, deliver
//   events again within 5 s of the database returning.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, tokenHash } from '../../api/domain/crypto';
import { startCluster, type Cluster } from './cluster';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = randomBytes(32).toString('hex');
const CLIENTS = 32;
const TOKENS_PER_CLIENT = 400;

let cluster: Cluster;
let server: ChildProcess;
let output = '';
let url: string;
let db: pg.Pool;
let adminCookie: string;
const clients: Array<{ id: string; cookie: string; codes: string[] }> = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

/** Polls `probe` until it returns a value (bounded); a wait on a condition, not a sleep. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; server output: ${output.slice(-1500)}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

beforeAll(async () => {
  cluster = await startCluster();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('create database et');
  await admin.end();
  const dbUrl = cluster.url.replace(/\/postgres$/, '/et');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl,
    APP_SECRET: SECRET,
    ADMIN_USERNAME: 'root',
    ADMIN_PASSWORD: 'root-password-1',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_ACQUIRE_TIMEOUT_MS: '2000',
    LOCKOUT_ATTEMPTS: '100',
  };
  for (const k of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN']) delete env[k];
  server = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  await until('the server to be ready', async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 60_000, 200);

  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'root', password: 'root-password-1' }),
  });
  expect(login.status).toBe(200);
  adminCookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

  // Clients with sessions and tokens, seeded with plain SQL (as the benchmark does).
  db = new pg.Pool({ connectionString: dbUrl, max: 2 });
  db.on('error', () => {}); // the cluster restarts under this pool too
  for (let i = 0; i < CLIENTS; i++) {
    const { rows } = await db.query<{ id: string }>(`insert into users (username, name, role) values ($1, $1, 'staff') returning id`, [`client-${i}`]);
    const id = rows[0]!.id;
    const session = `resilience-session-${i}-${randomBytes(8).toString('hex')}`;
    await db.query(`insert into sessions (id_hash, user_id, expires_at) values ($1, $2, now() + interval '1 day')`, [sha256(session), id]);
    const codes = Array.from({ length: TOKENS_PER_CLIENT }, (_, j) => String(100000 + i * TOKENS_PER_CLIENT + j));
    await db.query(
      `insert into tokens (hash, length, status, user_id, expires_at) select h, 6, 'available', $2, now() + interval '1 day' from unnest($1::text[]) h`,
      [codes.map((c) => tokenHash(Buffer.from(SECRET, 'utf8'), c)), id],
    );
    clients.push({ id, cookie: `et_session=${session}`, codes });
  }
}, 180_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  await db?.end().catch(() => {});
  cluster?.destroy();
});

interface Outcome {
  kind: 'request' | 'validate';
  status: number;
  id?: string;
  code?: string;
  retryAfter?: string | null;
  error?: string;
}

/** Each client alternates creating a request and validating its next token until `stop()` is true. */
async function load(stop: () => boolean, outcomes: Outcome[]) {
  await Promise.all(
    clients.map(async (c) => {
      let turn = 0;
      while (!stop()) {
        const validate = turn++ % 2 === 1;
        const code = validate ? c.codes.shift() : undefined;
        if (validate && !code) return;
        const path = validate ? '/api/v1/tokens/validate' : '/api/v1/token-requests';
        const body = validate ? { token: code, reason: 'resilience: bed 7' } : { quantity: 1, reason: 'resilience' };
        try {
          const res = await fetch(`${url}${path}`, {
            method: 'POST',
            headers: { cookie: c.cookie, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          const json = (await res.json()) as { request?: { id: string }; grant?: { id: string }; error?: { code: string } };
          outcomes.push({
            kind: validate ? 'validate' : 'request',
            status: res.status,
            id: json.request?.id ?? json.grant?.id,
            code: json.error?.code,
            retryAfter: res.headers.get('retry-after'),
          });
        } catch (err) {
          outcomes.push({ kind: validate ? 'validate' : 'request', status: 0, error: String(err) });
        }
      }
    }),
  );
}

describe('Postgres restarted under 32 concurrent clients', () => {
  it('no exit, no 500, no dropped connection; 503 unavailable with Retry-After meanwhile; every acknowledged success audited', async () => {
    const outcomes: Outcome[] = [];
    let phase: 'before' | 'restarting' | 'after' | 'done' = 'before';
    let successesAfter = 0;
    const running = load(() => phase === 'done', outcomes);
    await until('load to be under way', async () => (outcomes.length >= CLIENTS ? true : undefined));
    phase = 'restarting';
    cluster.restart(); // pg_ctl -w: returns once the server accepts connections again
    phase = 'after';
    const mark = outcomes.length;
    // Keep the load on until every client has had successes after the restart.
    await until(
      'successes after the restart',
      async () => {
        successesAfter = outcomes.slice(mark).filter((o) => o.status === 200 || o.status === 201).length;
        return successesAfter >= CLIENTS * 4 ? true : undefined;
      },
      60_000,
    );
    phase = 'done';
    await running;

    expect(server.exitCode, output.slice(-2000)).toBeNull();
    const bad = outcomes.filter((o) => ![200, 201, 503].includes(o.status) || (o.status === 503 && (o.code !== 'unavailable' || !(Number(o.retryAfter) > 0))));
    expect(bad.slice(0, 5), `${bad.length} unexpected outcomes of ${outcomes.length}`).toEqual([]);

    const requests = outcomes.filter((o) => o.kind === 'request' && o.status === 201).map((o) => o.id!);
    const grants = outcomes.filter((o) => o.kind === 'validate' && o.status === 200).map((o) => o.id!);
    expect(requests.length).toBeGreaterThan(CLIENTS);
    expect(grants.length).toBeGreaterThan(CLIENTS);
    const audited = await db.query<{ request_id: string | null; grant_id: string | null }>(
      `select request_id, grant_id from audit_events where (action = 'request.created' and request_id = any($1::uuid[])) or (action = 'token.validated' and outcome = 'success' and grant_id = any($2::uuid[]))`,
      [requests, grants],
    );
    expect(new Set(audited.rows.map((r) => r.request_id).filter(Boolean)).size).toBe(requests.length);
    expect(new Set(audited.rows.map((r) => r.grant_id).filter(Boolean)).size).toBe(grants.length);
  }, 180_000);
});

interface Stream {
  events: string[];
  waitFor(event: string, deadline: number): Promise<void>;
  close(): void;
}

async function openStream(cookie: string): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/v1/events`, { headers: { cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const events: string[] = [];
  const waker: { wake: (() => void) | null } = { wake: null };
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buffer += new TextDecoder().decode(value);
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const event = /^event: (.*)$/m.exec(buffer.slice(0, i))?.[1];
        buffer = buffer.slice(i + 2);
        if (event) events.push(event);
      }
      waker.wake?.();
    }
  })();
  const waitFor = async (event: string, deadline: number) => {
    while (!events.includes(event)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${event} in time; got ${events.join(', ')}`);
      await new Promise<void>((resolve) => {
        waker.wake = resolve;
        setTimeout(resolve, Math.min(left, 200)).unref();
      });
    }
  };
  await waitFor('ready', Date.now() + 10_000);
  return { events, waitFor, close: () => controller.abort() };
}

describe('Postgres down for 6 s, then back', () => {
  it('/readyz 503 during and 200 after; old and new SSE streams deliver again within 5 s of its return', async () => {
    const old = await openStream(adminCookie);
    cluster.stop();
    const during = await until('/readyz to say 503', async () => {
      const res = await fetch(`${url}/readyz`);
      return res.status === 503 ? ((await res.json()) as { parts: Record<string, string> }) : undefined;
    });
    expect(during.parts).toMatchObject({ database: 'down', events: 'down' });
    // An API call meanwhile is a fast, clear 503.
    const meanwhile = await fetch(`${url}/api/v1/token-requests`, {
      method: 'POST',
      headers: { cookie: clients[0]!.cookie, 'content-type': 'application/json' },
      body: '{"quantity":1}',
    });
    expect(meanwhile.status).toBe(503);
    expect(Number(meanwhile.headers.get('retry-after'))).toBeGreaterThan(0);
    // The outage lasts 6 s (the scenario, not a wait for anything).
    await new Promise((r) => setTimeout(r, 6000));
    cluster.start();
    const back = Date.now();
    const within = back + 5000;

    // The old stream is told to refetch, and both old and new streams carry new events.
    await old.waitFor('resume', within);
    const fresh = await openStream(adminCookie);
    for (;;) {
      const res = await fetch(`${url}/api/v1/token-requests`, {
        method: 'POST',
        headers: { cookie: clients[1]!.cookie, 'content-type': 'application/json' },
        body: '{"quantity":1}',
      });
      if (res.status === 201) break;
      expect(res.status).toBe(503);
      await new Promise((r) => setTimeout(r, 50));
      if (Date.now() > within) throw new Error('requests still failing 5 s after the database returned');
    }
    await old.waitFor('request.created', within);
    await fresh.waitFor('request.created', within);
    old.close();
    fresh.close();

    const after = await until('/readyz to say 200', async () => {
      const res = await fetch(`${url}/readyz`);
      return res.status === 200 ? ((await res.json()) as { parts: Record<string, string> }) : undefined;
    });
    expect(after.parts).toMatchObject({ database: 'up', events: 'up' });
    expect(server.exitCode).toBeNull();
  }, 120_000);
});
