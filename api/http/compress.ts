// Compressed responses. The PWA's static files are compressed once, at build (pwa/vite.config.ts writes
// .br and .gz beside each one, served by serveStatic's `precompressed`); API answers in JSON of 1 KiB or
// more are compressed here, as brotli or gzip, whichever the client prefers. Streams pass through as they
// are: a Server-Sent Event must not wait in a compressor's buffer, and the CSV export keeps its constant
// memory and its rows per second. Every compressible response says `Vary: Accept-Encoding`, compressed or
// not, so no cache hands a compressed body to a client that cannot read it.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

export type Encoding = 'br' | 'gzip';

const MIN_BYTES = 1024;
/** Content types worth compressing (text of any kind, JSON, JS, SVG, the web manifest). */
export const COMPRESSIBLE = /^\s*(?:text\/|application\/(?:json|javascript|manifest\+json|xml)|image\/svg\+xml)/i;

/** The encoding to answer with for an Accept-Encoding header, honouring q-values; brotli wins a tie. */
export function negotiate(header: string | undefined): Encoding | null {
  if (!header) return null;
  const q: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q[name] = Number.isFinite(value) ? value : 0;
  }
  const score = (enc: Encoding) => q[enc] ?? q['*'] ?? 0;
  const best = (['br', 'gzip'] as const).filter((e) => score(e) > 0).sort((a, b) => score(b) - score(a))[0];
  return best ?? null;
}

export function addVary(headers: Headers): void {
  const vary = headers.get('Vary');
  if (!vary) headers.set('Vary', 'Accept-Encoding');
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) headers.set('Vary', `${vary}, Accept-Encoding`);
}

export function compressBody(body: Uint8Array, encoding: Encoding): Uint8Array<ArrayBuffer> {
  // Quality 5 / level 6: most of the saving for a fraction of the CPU of the maximum, per request.
  const out =
    encoding === 'br'
      ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } })
      : gzipSync(body, { level: 6 });
  return new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.byteLength);
}

/** For the API: compress JSON answers of 1 KiB or more; leave streams and small bodies alone. */
export const compressJson: MiddlewareHandler = async (c, next) => {
  await next();
  const res = c.res;
  const type = res.headers.get('Content-Type') ?? '';
  if (!/^application\/json/i.test(type)) return;
  addVary(res.headers);
  if (c.req.method === 'HEAD' || res.headers.has('Content-Encoding') || res.status === 204) return;
  const encoding = negotiate(c.req.header('Accept-Encoding'));
  if (!encoding) return;
  const { bytes, read } = await bodyOf(res);
  if (!bytes) return;
  // A plain init (not the old Response) keeps the new one on @hono/node-server's direct write path.
  if (bytes.byteLength < MIN_BYTES) {
    if (read) {
      c.res = undefined;
      c.res = new Response(bytes as Uint8Array<ArrayBuffer>, { status: res.status, headers: res.headers });
    }
    return;
  }
  const headers = new Headers(res.headers);
  headers.set('Content-Encoding', encoding);
  headers.delete('Content-Length');
  // Hono's c.res setter merges the old response's headers into the new one by re-wrapping its body (a
  // full fetch Response again); these headers already hold them all, so the old response is let go first.
  c.res = undefined;
  c.res = new Response(compressBody(bytes, encoding), { status: res.status, headers });
};

const encoder = new TextEncoder();

/**
 * The bytes of a JSON answer. @hono/node-server keeps the string c.json() made in the response's own
 * cache; reading it with arrayBuffer() instead builds a full fetch Response and streams the string
 * through it, which cost about half a millisecond per answer (an audit page, measured). Any other
 * response is read the standard way (and so must be rebuilt, `read`).
 */
async function bodyOf(res: Response): Promise<{ bytes: Uint8Array | null; read: boolean }> {
  const cache = Object.getOwnPropertySymbols(res).find((s) => s.description === 'cache');
  const cached: unknown = cache ? (res as unknown as Record<symbol, unknown[] | undefined>)[cache]?.[1] : undefined;
  if (typeof cached === 'string') return { bytes: encoder.encode(cached), read: false };
  if (!res.body) return { bytes: null, read: false };
  return { bytes: new Uint8Array(await res.arrayBuffer()), read: true };
}
