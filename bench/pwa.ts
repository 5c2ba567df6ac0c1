// PWA section: the bytes the validate screen loads, and how soon a nurse can type a token on a slow
// phone (4x CPU slowdown, 150 ms RTT, 1.6 Mbps), cold and with the service worker warm. The server runs
// on an embedded database here: this section measures the browser side.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { ADMIN, ApiClient, ROOT, buildPwa, hasChromium, chromium, launch, startServer } from '../tests/e2e/harness';
import { median } from './lib/stats';

// Given as source text: tsx would wrap named functions in a helper that does not exist inside the page.
// Marks the moment the token field exists, is visible and enabled, checked on every DOM change and
// every frame so the moment is not missed.
const READY_PROBE = `
  (() => {
    const check = () => {
      const el = document.querySelector('input[autocomplete="one-time-code"]');
      if (el && !el.disabled && el.getClientRects().length > 0 && window.__tokenReady === undefined) window.__tokenReady = performance.now();
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
    const frame = () => { check(); if (window.__tokenReady === undefined) requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  })();
`;

const NURSE = { username: 'bench-nurse', password: 'bench-nurse-password-1' };
const SLOW = { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

export interface PwaResult {
  jsGzip: number;
  cssGzip: number;
  files: string[];
  /** What the validate screen's cold load actually received, as Chromium asked for it (Accept-Encoding: br). */
  wire: { acceptEncoding: string; requests: number; bodyBytes: number; headerBytes: number; byType: Record<string, { bytes: number; encodings: string[] }> };
  cold: { fcp: number; ready: number };
  warm: { fcp: number; ready: number };
  runs: number;
}

export async function benchPwa(_db?: unknown, runs = 3): Promise<PwaResult> {
  if (!hasChromium) throw new Error('missing' in chromium ? chromium.missing : 'no Chromium');
  buildPwa();
  const server = await startServer();
  try {
    const api = await ApiClient.signIn(server.url, ADMIN.username, ADMIN.password);
    await api.createUser(NURSE.username, 'Bench Nurse', NURSE.password);
    const cold: Array<{ fcp: number; ready: number }> = [];
    const warm: Array<{ fcp: number; ready: number }> = [];
    const assets = new Set<string>();
    const wire: PwaResult['wire'] = { acceptEncoding: '', requests: 0, bodyBytes: 0, headerBytes: 0, byType: {} };
    for (let r = 0; r < runs; r++) {
      const { context, close } = await launch();
      try {
        // Sign in outside the measurement: the validate screen is what a signed-in nurse opens.
        const res = await context.request.post(`${server.url}/api/v1/auth/login`, { data: NURSE, headers: { Origin: server.url } });
        if (!res.ok()) throw new Error(`login ${res.status()}`);
        const page = await context.newPage();
        await page.addInitScript(READY_PROBE);
        page.on('response', (resp) => {
          const path = new URL(resp.url()).pathname;
          if (/\.(js|css)$/.test(path) && !/^\/(sw|workbox-[^/]*)\.js$/.test(path)) assets.add(path);
        });
        // The first cold load, byte for byte: bodies as sent (compressed) and response headers.
        const sizes: Promise<void>[] = [];
        let counting = r === 0;
        const onFinished = (req: import('playwright-core').Request) => {
          if (!counting) return;
          sizes.push(
            (async () => {
              const [s, resp, sent] = await Promise.all([req.sizes(), req.response(), req.allHeaders()]);
              if (req.resourceType() === 'document') wire.acceptEncoding = sent['accept-encoding'] ?? '';
              const path = new URL(req.url()).pathname;
              const type = path.startsWith('/api/') ? 'api' : (/\.(\w+)$/.exec(path)?.[1] ?? 'html');
              const enc = resp?.headers()['content-encoding'] ?? 'identity';
              wire.requests++;
              wire.bodyBytes += s.responseBodySize;
              wire.headerBytes += s.responseHeadersSize;
              const t = (wire.byType[type] ??= { bytes: 0, encodings: [] });
              t.bytes += s.responseBodySize;
              if (!t.encodings.includes(enc)) t.encodings.push(enc);
            })().catch(() => {}),
          );
        };
        page.on('requestfinished', onFinished);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW });
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });

        cold.push(await measure(page, server.url));
        counting = false;
        await Promise.all(sizes);
        // Let the service worker install and take control, then measure a warm start.
        await page.evaluate(async () => {
          await navigator.serviceWorker.ready;
        });
        if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) await page.reload();
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
        warm.push(await measure(page, server.url));
      } finally {
        await close();
      }
    }
    const dist = join(ROOT, 'pwa', 'dist');
    let jsGzip = 0;
    let cssGzip = 0;
    for (const path of assets) {
      const size = gzipSync(readFileSync(join(dist, path)), { level: 9 }).length;
      if (path.endsWith('.js')) jsGzip += size;
      else cssGzip += size;
    }
    return {
      jsGzip,
      cssGzip,
      files: [...assets].sort(),
      wire,
      cold: { fcp: median(cold.map((c) => c.fcp)), ready: median(cold.map((c) => c.ready)) },
      warm: { fcp: median(warm.map((c) => c.fcp)), ready: median(warm.map((c) => c.ready)) },
      runs,
    };
  } finally {
    await server.stop();
  }
}

async function measure(page: Page, url: string) {
  await page.goto(url, { waitUntil: 'commit' });
  await page
    .waitForFunction(() => (window as unknown as { __tokenReady?: number }).__tokenReady !== undefined, null, { timeout: 60_000, polling: 100 })
    .catch(async (err: unknown) => {
      await page.screenshot({ path: join(ROOT, 'bench-results', 'pwa-timeout.png') }).catch(() => {});
      throw err;
    });
  return page.evaluate(() => ({
    ready: (window as unknown as { __tokenReady: number }).__tokenReady,
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
  }));
}
