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
/** The issue's phone: 390×844 CSS px. */
export const PHONE_390 = { width: 390, height: 844 };
/** That phone at 200 % browser zoom: the page lays out in half the CSS pixels each way. */
export const ZOOM_200 = { width: 195, height: 422 };

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
/**
 * A browser file's setup builds the PWA when stale, starts a server process and seeds it: on a machine
 * busy with other test files that takes minutes, more than vitest's default hook timeout.
 */
export const SETUP_TIMEOUT_MS = 300_000;

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
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    ...env,
  };
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
export async function launch(viewport = PHONE, opts: { locale?: string } = {}): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!('path' in chromium)) throw new Error(chromium.missing);
  const { chromium: pw } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'et-e2e-profile-'));
  const context = await pw.launchPersistentContext(dir, {
    executablePath: chromium.path,
    headless: true,
    viewport,
    locale: opts.locale ?? 'en-GB',
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // Generous: several test files, servers and browsers share two cores; every wait is on a condition.
  context.setDefaultTimeout(30_000);
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

/** Two frames after now: what a resize, a click or a state change set in motion has been laid out. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/**
 * Until the page has stopped changing: two frames, then no DOM change for a quarter of a second (at most
 * five seconds). A scan that starts while a live update lands (the admin's badges after an event, the
 * one-row navigation refitting to them) would judge a layout that lasted one frame; on a busy machine
 * that happened (a nav link measured mid-refit at 195 px).
 */
export async function quiet(page: Page): Promise<void> {
  await settle(page);
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let timer = setTimeout(done, 250);
        const giveUp = setTimeout(done, 5000);
        const observer = new MutationObserver(() => {
          clearTimeout(timer);
          timer = setTimeout(done, 250);
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        function done() {
          observer.disconnect();
          clearTimeout(timer);
          clearTimeout(giveUp);
          resolve();
        }
      }),
  );
  await settle(page);
}

let axeSource: string | undefined;

/**
 * axe-core's violations on the page as "rule: selector (impact)" lines, every rule axe runs by default plus
 * `target-size` (WCAG 2.2, 24 px minimum with spacing). Injected through the debugging protocol, so the
 * app's Content-Security-Policy stays as it ships.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= (await import('axe-core')).default.source;
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const r = await axe.run(document, { rules: { 'target-size': { enabled: true } }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n} (${v.impact})`));
}

/**
 * What makes the page wider than the viewport: empty when nothing does. The root must not hide overflow
 * either (that would hide the problem, not fix it). Culprits are the outermost elements sticking out that
 * are not inside a scroller of their own.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  // No named functions inside: tsx would wrap them in a helper that does not exist in the page.
  return page.evaluate(() => {
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const out: string[] = [];
    for (const el of [doc, document.body]) {
      const ox = getComputedStyle(el).overflowX;
      if (ox === 'hidden' || ox === 'clip') out.push(`${el.tagName.toLowerCase()} hides horizontal overflow`);
    }
    if (doc.scrollWidth <= width) return out;
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      // Only the right edge: what sticks out on the left (a skip link parked off screen) cannot be scrolled to.
      if (r.width === 0 || r.right <= width + 0.5) continue;
      let inner = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
        if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) inner = true;
      const parent = el.parentElement;
      if (inner || (parent && parent !== document.body && parent.getBoundingClientRect().right > width + 0.5)) continue;
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls} ends at ${Math.round(r.right)} px`);
    }
    if (out.length === 0) out.push(`page is ${doc.scrollWidth} px wide in ${width} px`);
    return out;
  });
}

/**
 * The page at 390×844 and at 200 % zoom (195×422): axe finds nothing and nothing sticks out sideways.
 * Soft assertions: one run reports every state that fails. Leaves the page at 390×844.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  for (const vp of [PHONE_390, ZOOM_200]) {
    await page.setViewportSize(vp);
    await quiet(page);
    expect.soft(await axeViolations(page), `axe, ${label}, ${vp.width} px`).toEqual([]);
    expect.soft(await horizontalOverflow(page), `overflow, ${label}, ${vp.width} px`).toEqual([]);
  }
  await page.setViewportSize(PHONE_390);
  await settle(page);
}

/** Follows a link of the top navigation, opening its Menu first when the link did not fit in the row. */
export async function navTo(page: Page, href: string): Promise<void> {
  const visible = page.locator(`header.topbar a[href="${href}"]:visible`);
  if ((await visible.count()) === 0) await page.locator('header.topbar [data-testid="nav-menu-button"]').click();
  await visible.first().click();
}
