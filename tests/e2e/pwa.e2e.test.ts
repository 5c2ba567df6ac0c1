// Installability and offline behaviour: manifest, service worker control after reload, the offline
// shell (and that /api/ is never answered from a cache), and the Bahasa Indonesia switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { buildPwa, hasChromium, launch, shot, startServer, poll, type Server, SETUP_TIMEOUT_MS } from './harness';

describe.skipIf(!hasChromium)('installable, offline-aware PWA', () => {
  let server: Server;
  let context: BrowserContext;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => {
    buildPwa();
    server = await startServer();
    ({ context, close } = await launch());
    page = await context.newPage();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await close?.();
    await server?.stop();
  });

  it('links a complete web manifest with real PNG icons', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const res = await page.request.get(new URL(href!, server.url).href);
    expect(res.ok()).toBe(true);
    const m = (await res.json()) as Record<string, unknown> & { icons: { src: string; sizes: string; purpose?: string }[] };
    expect(m).toMatchObject({ id: '/', name: 'Emergency Token', short_name: 'E-Token', display: 'standalone', start_url: '/', theme_color: '#b91c1c' });
    // Either orientation (WCAG 1.3.4); long-press shortcuts to the two staff screens.
    expect(m).not.toHaveProperty('orientation');
    expect((m.shortcuts as { url: string }[]).map((s) => s.url)).toEqual(['/validate', '/tokens']);
    expect(m.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of m.icons) {
      const r = await page.request.get(new URL(icon.src, server.url).href);
      expect(r.headers()['content-type']).toContain('image/png');
      expect((await r.body()).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('sends the precompressed build: brotli to Chromium, with Vary: Accept-Encoding', async () => {
    const responses: Array<{ url: string; encoding: string | undefined; vary: string | undefined }> = [];
    const listener = (r: import('playwright-core').Response) => {
      const url = new URL(r.url());
      if (url.pathname === '/' || /\.(js|css)$/.test(url.pathname))
        responses.push({ url: url.pathname, encoding: r.headers()['content-encoding'], vary: r.headers()['vary'] });
    };
    page.on('response', listener);
    await page.goto(`${server.url}/?fresh=1`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    page.off('response', listener);
    const js = responses.filter((r) => r.url.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    for (const r of [...js, ...responses.filter((x) => x.url.endsWith('.css'))]) {
      expect(r.encoding, r.url).toBe('br');
      expect(r.vary, r.url).toMatch(/accept-encoding/i);
    }
  });

  it('registers a service worker that controls the page after a reload', async () => {
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${server.url}/`);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/sw.js`);
  });

  it('offline, the shell still opens and says validation needs a connection; /api/ is never cached', async () => {
    await context.setOffline(true);
    await page.reload();
    const notice = page.getByTestId('offline-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Validation needs a connection.');
    await shot(page, '20-offline');
    const apiReached = await page.evaluate(() =>
      fetch('/api/v1/me').then(
        () => true,
        () => false,
      ),
    );
    expect(apiReached).toBe(false);
    await context.setOffline(false);
    // Back online: the app retries by itself and shows the sign-in form.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await poll(() => notice.count()).toBe(0);
  });

  it('switches to Bahasa Indonesia and remembers it', async () => {
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Masuk' }).waitFor();
    expect(await page.getByLabel('Nama pengguna').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('id');
    await page.reload();
    await page.getByRole('heading', { name: 'Masuk' }).waitFor();
    await shot(page, '21-sign-in-id');
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
