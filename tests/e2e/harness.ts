// End-to-end harness: the real server (node --import tsx api/main.ts) on an embedded database in a
// fresh folder, Debian's Chromium through playwright-core, API helpers to seed users and tokens,
// and screenshots of each main screen into tests/e2e/screenshots/ (git-ignored) for review.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SHOTS = join(ROOT, 'tests', 'e2e', 'screenshots');
export const ADMIN = { username: 'admin', password: 'admin-e2e-password-1' };
export const PHONE = { width: 360, height: 640 };

// CHROMIUM_PATH, when set, is the only candidate (also how to check the no-browser path).
const CANDIDATES = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium to use, or why there is none. */
export function findChromium(): { path: string } | { missing: string } {
  for (const p of CANDIDATES) {
    try {
      accessSync(p, constants.X_OK);
      return { path: p };
    } catch {
      /* try the next */
    }
  }
  return { missing: `no Chromium executable at ${CANDIDATES.join(' or ')} (install it with: apt-get install -y chromium)` };
}

export const chromium = findChromium();
export const hasChromium = 'path' in chromium;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** Builds pwa/dist if it is missing or older than its sources. */
export function buildPwa(): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-if-stale.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('PWA build failed');
}

export interface Server {
  url: string;
  stop: () => Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'et-e2e-data-'));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'warn', ...env };
  for (const k of Object.keys(childEnv)) if (k === 'DATABASE_URL' || k.startsWith('SLACK_')) delete childEnv[k];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready in 180 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh persistent browser context (own profile dir), phone-sized unless told otherwise. */
export async function launch(viewport = PHONE): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!('path' in chromium)) throw new Error(chromium.missing);
  const { chromium: pw } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'et-e2e-profile-'));
  const context = await pw.launchPersistentContext(dir, {
    executablePath: chromium.path,
    headless: true,
    viewport,
    locale: 'en-GB',
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** A cookie-keeping API client for seeding (same CSRF rules as the browser: Origin + JSON). */
export class ApiClient {
  private cookie = '';
  constructor(readonly base: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Origin: this.base, Accept: 'application/json' };
    if (this.cookie) headers.Cookie = this.cookie;
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.base}/api/v1${path}`, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body ?? {}) });
    const set = res.headers.getSetCookie?.() ?? [];
    if (set.length) this.cookie = set.map((c) => c.split(';')[0]).join('; ');
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  static async signIn(base: string, username: string, password: string): Promise<ApiClient> {
    const c = new ApiClient(base);
    await c.call('POST', '/auth/login', { username, password });
    return c;
  }

  async createUser(username: string, name: string, password: string, role = 'staff'): Promise<string> {
    const r = await this.call<{ user: { id: string } }>('POST', '/users', { username, name, role, password });
    return r.user.id;
  }

  async generate(userId: string | null, count: number, extra: Record<string, unknown> = {}): Promise<string[]> {
    const r = await this.call<{ tokens: { token: string }[] }>('POST', '/tokens/generate', { count, userId, ...extra });
    return r.tokens.map((t) => t.token);
  }
}

export async function signInUi(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Menu' }).waitFor();
}

/** expect.poll with room for a loaded machine (a shared CI box): waits for the condition, up to 20 s. */
export const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });
