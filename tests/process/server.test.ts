// The server as `npm start` runs it, as its own process on the embedded database in a fresh DATA_DIR:
// - the generated first-admin password goes to a 0600 file (its path printed), not to a stdout that is
//   not a terminal;
// - DATA_DIR is 0700 and every file in it 0600, also the files PGlite creates while it runs;
// - SIGTERM stops it gracefully: no new connections, the request in flight is answered, event streams
//   are told and ended, exit code 0 within 10 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess;
let output = '';
let dataDir: string;
let url: string;
let port: number;
let exited: Promise<number | null>;

/** Waits (bounded) until the server's output contains `text`. */
async function outputContains(text: string, ms = 150_000) {
  const deadline = Date.now() + ms;
  while (!output.includes(text)) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" in the output: ${output.slice(-2000)}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      child.stdout!.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

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

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'et-proc-')), 'data');
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  for (const k of ['DATABASE_URL', 'APP_SECRET', 'ADMIN_USERNAME', 'ADMIN_PASSWORD', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'])
    delete env[k];
  // stdout is a pipe, as under a service manager or a container runtime.
  child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  await outputContains('is running at');
}, 180_000);
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

let adminCookie = '';

describe('first start with stdout not a terminal', () => {
  it('writes the generated admin password to a 0600 file in DATA_DIR and prints its path, not the password', async () => {
    const file = join(dataDir, 'first-admin-password');
    expect(output).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(output).not.toContain(password);
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(res.status).toBe(200);
    adminCookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  });
});

describe('data at rest', () => {
  it('DATA_DIR is 0700 and every file in it 0600 (folders 0700), also those PGlite created while serving', async () => {
    // Some writes first, so the database has created its later files (WAL and the like).
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/api/v1/tokens/generate`, {
        method: 'POST',
        headers: { cookie: adminCookie, 'content-type': 'application/json' },
        body: JSON.stringify({ count: 50 }),
      });
      expect(res.status).toBe(201);
    }
    const loose: string[] = [];
    let files = 0;
    const walk = (dir: string) => {
      if ((statSync(dir).mode & 0o777) !== 0o700) loose.push(`${dir} ${(statSync(dir).mode & 0o777).toString(8)}`);
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          files++;
          if ((statSync(p).mode & 0o777) !== 0o600) loose.push(`${p} ${(statSync(p).mode & 0o777).toString(8)}`);
        }
      }
    };
    walk(dataDir);
    expect(files).toBeGreaterThan(100);
    expect(loose).toEqual([]);
  });
});

describe('graceful stop', () => {
  it('SIGTERM: refuses new connections, answers the request in flight, ends event streams, exits 0 within 10 s', async () => {
    // An event stream that must be told.
    const stream = await fetch(`${url}/api/v1/events`, { headers: { cookie: adminCookie } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let streamed = '';
    const streamDone = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        streamed += new TextDecoder().decode(value);
      }
    })();
    for (let i = 0; i < 500 && !streamed.includes('event: ready'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(streamed).toContain('event: ready');

    // A request in flight: headers sent, half of the body still to come.
    const body = JSON.stringify({ username: 'nobody-here', password: 'not-the-password' });
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let reply = '';
    socket.on('data', (d) => (reply += d));
    const replied = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Expect: 100-continue makes the server say when it has taken the request on.
    socket.write(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    while (!reply.includes('100 Continue')) await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write(body.slice(0, 10));

    const stopAt = Date.now();
    child.kill('SIGTERM');
    await outputContains('stopping');
    // No new connections. A fresh socket: fetch could reuse a kept-alive connection (the event stream's,
    // once it has ended), which is not a new connection.
    const refused = await new Promise<string>((resolve) => {
      const probe = connect(port, '127.0.0.1');
      probe.once('connect', () => (probe.destroy(), resolve('accepted')));
      probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    // The request in flight completes with its real answer.
    socket.write(body.slice(10));
    await replied; // the server closes the connection after answering: it is stopping
    expect(reply).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 401/);
    expect(reply).toContain('invalid_credentials');
    expect(reply).toMatch(/\r\nConnection: close\r\n/i); // so no client sends another request on it
    // The stream was told why it ends, then closed.
    await streamDone;
    expect(streamed).toContain('event: end');
    expect(streamed).toContain('"reason":"shutdown"');

    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000 - (Date.now() - stopAt)).unref()),
    ]);
    expect(code).toBe(0);
    expect(output).toContain('"msg":"stopped"');
  });
});
