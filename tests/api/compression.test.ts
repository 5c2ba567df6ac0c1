// Compressed delivery: API JSON of 1 KiB or more as brotli or gzip by the client's Accept-Encoding
// (q-values honoured), small bodies and streams as they are, and the PWA's precompressed static files
// served as the client accepts, always with Vary: Accept-Encoding.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { negotiate } from '../../api/http/compress';
import { quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let staticRoot: string;
let app: ReturnType<typeof createApp>;
const bundle = `console.log(${JSON.stringify('emergency token '.repeat(400))});\n`;

beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
  // A stand-in for pwa/dist as the build leaves it: each text file with a .br and a .gz beside it.
  staticRoot = mkdtempSync(join(tmpdir(), 'et-static-'));
  mkdirSync(join(staticRoot, 'assets'));
  const html = `<!doctype html><html lang="en"><head><title>Emergency Token</title></head><body>${'<p>shell</p>'.repeat(200)}</body></html>`;
  for (const [file, body] of [
    ['index.html', html],
    ['assets/index-abc123.js', bundle],
  ] as const) {
    writeFileSync(join(staticRoot, file), body);
    writeFileSync(join(staticRoot, `${file}.br`), brotliCompressSync(body));
    writeFileSync(join(staticRoot, `${file}.gz`), gzipSync(body));
  }
  writeFileSync(join(staticRoot, 'icon.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  app = createApp({ ctx: h.runtime.ctx, logger: h.runtime.logger, hub: h.runtime.hub, staticRoot });
});
afterAll(async () => {
  rmSync(staticRoot, { recursive: true, force: true });
  await h?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
const body = async (res: Response) => {
  const raw = Buffer.from(await res.arrayBuffer());
  const enc = res.headers.get('content-encoding');
  return (enc === 'br' ? brotliDecompressSync(raw) : enc === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
};

describe('Accept-Encoding negotiation', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity', null],
    ['', null],
    [undefined, null],
  ])('%s → %s', (header, expected) => {
    expect(negotiate(header)).toBe(expected);
  });
});

describe('API answers', () => {
  it('a large JSON answer is brotli for a client that takes it, gzip for one that only takes gzip, plain otherwise', async () => {
    const plain = await get('/api/v1/openapi.json');
    const text = await plain.text();
    expect(text.length).toBeGreaterThan(10_000);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toMatch(/accept-encoding/i);

    const br = await get('/api/v1/openapi.json', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(br.headers.get('content-type')).toMatch(/^application\/json/);
    const brText = await body(br);
    expect(JSON.parse(brText)).toEqual(JSON.parse(text));

    const gz = await get('/api/v1/openapi.json', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const gzRaw = await gz.clone().arrayBuffer();
    expect(gzRaw.byteLength).toBeLessThan(text.length / 3);
    expect(JSON.parse(await body(gz))).toEqual(JSON.parse(text));
  });

  it('a signed-in answer keeps its cookie-less headers (no-store, request id) when compressed', async () => {
    const res = await get('/api/v1/monitoring', { cookie: admin.cookie, 'accept-encoding': 'br' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(JSON.parse(await body(res))).toHaveProperty('tokens');
  });

  it("through the Node server itself (whose responses keep c.json's string): compressed, same JSON, same headers", async () => {
    const server = createAdaptorServer({ fetch: h.runtime.app.fetch });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/monitoring`;
      const plain = await fetch(url, { headers: { cookie: admin.cookie, 'accept-encoding': 'identity' } });
      const br = await fetch(url, { headers: { cookie: admin.cookie, 'accept-encoding': 'br' } });
      for (const res of [plain, br]) {
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('x-request-id')).toBeTruthy();
        expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      }
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(br.headers.get('content-encoding')).toBe('br');
      const plainJson = (await plain.json()) as Record<string, unknown>;
      expect(JSON.stringify(plainJson).length).toBeGreaterThan(1024);
      // fetch decodes brotli itself; the two answers differ only where time moves.
      expect(Object.keys((await br.json()) as object).sort()).toEqual(Object.keys(plainJson).sort());
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a small answer (under 1 KiB) and an error go out as they are, still saying Vary', async () => {
    const me = await get('/api/v1/me', { cookie: admin.cookie, 'accept-encoding': 'br, gzip' });
    expect(me.headers.get('content-encoding')).toBeNull();
    expect(me.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(JSON.parse(await me.text()).user.id).toBe(admin.id);
    const unauth = await get('/api/v1/me', { 'accept-encoding': 'br' });
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(await unauth.text()).error.code).toBe('unauthenticated');
  });

  it('streams pass through uncompressed: the CSV export and Server-Sent Events', async () => {
    const csv = await get('/api/v1/audit/export.csv', { cookie: admin.cookie, 'accept-encoding': 'br, gzip' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-encoding')).toBeNull();
    expect((await csv.text()).split('\r\n')[0]).toMatch(/^id,at,action/);

    const controller = new AbortController();
    const sse = await app.request('/api/v1/events', { headers: { cookie: admin.cookie, 'accept-encoding': 'br, gzip' }, signal: controller.signal });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.headers.get('content-encoding')).toBeNull();
    const reader = sse.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('event: ready');
    await reader.cancel();
    controller.abort();
  });
});

describe('the PWA, precompressed at build', () => {
  it('sends the .br to a browser that takes brotli, the .gz to one that takes gzip, the file otherwise; Vary on all', async () => {
    const path = '/assets/index-abc123.js';
    const br = await get(path, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(br.headers.get('cache-control')).toContain('immutable');
    const brBytes = Number(br.headers.get('content-length'));
    expect(brBytes).toBeLessThan(bundle.length / 10);
    expect(await body(br)).toBe(bundle);

    const gz = await get(path, { 'accept-encoding': 'gzip, deflate' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await body(gz)).toBe(bundle);

    const plain = await get(path);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await plain.text()).toBe(bundle);
  });

  it('the shell for a client-side route is the precompressed index.html, revalidated each time', async () => {
    const res = await get('/admin/audit', { 'accept-encoding': 'br' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await body(res)).toContain('<title>Emergency Token</title>');
  });

  it('images are sent as they are, without Vary', async () => {
    const res = await get('/icon.png', { 'accept-encoding': 'br' });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('vary')).toBeNull();
  });
});
