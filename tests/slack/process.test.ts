// The real server process (npm start's api/main.ts) in Socket Mode against the fake Slack: it starts and
// serves while apps.connections.open answers 500s, connects later by itself, survives the socket
// dropping while apps.connections.open fails (once ended the whole process ~5 s later: Bolt's client
// inherited "no retries" and its reconnect promise rejected unhandled), and survives a refusal inside
// Bolt's own reconnect (logged, then connected again).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from './fake-slack';
import { createScratchDatabase, dropScratchDatabase } from '../helpers/database';

const root = fileURLToPath(new URL('../..', import.meta.url));
let fake: FakeSlack;
let child: ChildProcess | undefined;
let output = '';
let url = '';
let dbUrl: string | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function get(path: string): Promise<{ status: number; body: any } | undefined> {
  try {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  fake = new FakeSlack();
  await fake.start();
  // Slack refuses the first connections: the server must start anyway.
  fake.script('apps.connections.open', { status: 500 }, { times: 2 });
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    APP_SECRET: randomBytes(32).toString('hex'),
    ADMIN_PASSWORD: 'root-password-1',
    SLACK_BOT_TOKEN: 'xoxb-process',
    SLACK_APP_TOKEN: 'xapp-process',
    SLACK_ADMIN_CHANNEL: 'C0ADMIN',
    SLACK_API_URL: fake.apiUrl,
    LOG_LEVEL: 'info',
  };
  if (process.env.DATABASE_URL) {
    dbUrl = await createScratchDatabase(process.env.DATABASE_URL, 'et_test_proc');
    env.DATABASE_URL = dbUrl;
  } else {
    delete env.DATABASE_URL;
    env.DATA_DIR = mkdtempSync(join(tmpdir(), 'et-proc-'));
  }
  url = `http://127.0.0.1:${env.PORT}`;
  // The build step of `npm start` is skipped: the API is what this test is about.
  child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await fake?.stop();
  if (dbUrl) await dropScratchDatabase(process.env.DATABASE_URL!, dbUrl);
});

const alive = () => child?.exitCode === null && child.signalCode === null;

/** Polls `probe` until it holds; fails at once if the server process has exited. */
async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive())
      throw new Error(`the server exited (code ${child?.exitCode}, signal ${child?.signalCode}) while waiting for ${what}:\n${output.slice(-3000)}`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the server process in Socket Mode', () => {
  it('starts and serves while Slack refuses to connect, then connects by itself', async () => {
    let readyz: { status: number; body: any } | undefined;
    await until('the server to serve /readyz', async () => (readyz = await get('/readyz'))?.status === 200, 90_000);
    expect(readyz!.body.status).toBe('ready');
    await until('a Socket Mode connection', () => fake.openSockets().length > 0);
    expect(fake.callsTo('apps.connections.open', (c) => c.fault === 'http')).toHaveLength(2);
    await until('/readyz to say Slack is up', async () => (await get('/readyz'))?.body?.slack?.state === 'up');
  });

  it('survives the socket dropping while apps.connections.open answers a 500', async () => {
    const before = fake.sockets.length;
    fake.script('apps.connections.open', { status: 500 });
    fake.dropSockets();
    await until('a new socket', () => fake.sockets.length > before && fake.openSockets().length > 0);
    expect(fake.callsTo('apps.connections.open', (c) => c.fault === 'http')).toHaveLength(3);
    expect((await get('/healthz'))?.status).toBe(200);
  });

  it('survives a refusal inside Bolt’s own reconnect: logged, never fatal, connected again later', async () => {
    const before = fake.sockets.length;
    fake.script('apps.connections.open', { error: 'invalid_auth' });
    fake.dropSockets();
    await until('the failure to be logged', () => /unhandled failure in the Slack SDK/.test(output));
    expect((await get('/healthz'))?.status).toBe(200);
    await until('the socket to come back', () => fake.sockets.length > before && fake.openSockets().length > 0);
    expect(alive()).toBe(true);
  });
});
