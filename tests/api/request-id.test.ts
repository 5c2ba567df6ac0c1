// Every response carries X-Request-Id (the caller's when it looks like one, else a fresh one), error
// responses included; every log line of the request carries the same id, and the domain context of the
// request holds it.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
    done();
  },
});

let h: Harness;
let nurse: TestUser;
beforeAll(async () => {
  h = await startHarness({}, { logger: pino({ level: 'info', base: undefined }, sink) });
  // A probe route (added before the first request builds the router; POST, so the PWA's catch-all GET
  // does not answer it when the app is built): what a request's domain context holds.
  h.runtime.app.post('/__test/ctx', (c) => c.json({ requestId: c.get('ctx').requestId ?? null }));
  nurse = await quickUser(h);
});
afterAll(() => h?.close());

const linesOf = (requestId: string) => lines.filter((l) => l.requestId === requestId);

describe('X-Request-Id', () => {
  it('is generated when the caller sends none, different for each request, and bound to the request log line', async () => {
    const a = await h.http('GET', '/api/v1/me', { cookie: nurse.cookie });
    const b = await h.http('GET', '/api/v1/me', { cookie: nurse.cookie });
    const idA = a.headers.get('x-request-id');
    const idB = b.headers.get('x-request-id');
    expect(idA).toMatch(/^[0-9a-f-]{36}$/);
    expect(idB).toMatch(/^[0-9a-f-]{36}$/);
    expect(idA).not.toBe(idB);
    const logged = linesOf(idA!);
    expect(logged.map((l) => l.msg)).toEqual(['request']);
    expect(logged[0]).toMatchObject({ method: 'GET', path: '/api/v1/me', status: 200, user: nurse.id });
  });

  it("honours the caller's id when it is sane, on success and on error responses", async () => {
    const ok = await h.http('GET', '/api/v1/me', { cookie: nurse.cookie, headers: { 'x-request-id': 'lb-7f3a.2:trace=1' } });
    expect(ok.headers.get('x-request-id')).toBe('lb-7f3a.2:trace=1');
    const refused = await h.http('GET', '/api/v1/users', { cookie: nurse.cookie, headers: { 'x-request-id': 'req-forbidden-1' } });
    expectError(refused, 403, 'forbidden');
    expect(refused.headers.get('x-request-id')).toBe('req-forbidden-1');
    const invalid = await h.http('POST', '/api/v1/token-requests', {
      cookie: nurse.cookie,
      body: { quantity: 0 },
      headers: { 'x-request-id': 'req-invalid-1' },
    });
    expectError(invalid, 400, 'invalid_input');
    expect(invalid.headers.get('x-request-id')).toBe('req-invalid-1');
    const missing = await h.http('GET', '/api/v1/no-such-thing', { headers: { 'x-request-id': 'req-404-1' } });
    expectError(missing, 404, 'not_found');
    expect(missing.headers.get('x-request-id')).toBe('req-404-1');
    expect(linesOf('req-forbidden-1')).toEqual([expect.objectContaining({ msg: 'request', status: 403 })]);
    expect(linesOf('req-invalid-1')).toEqual([expect.objectContaining({ msg: 'request', status: 400 })]);
  });

  it('replaces an id that is too long or carries separators', async () => {
    for (const bad of ['x'.repeat(129), 'two words', 'a,b', 'semi;colon', '']) {
      const res = await h.http('GET', '/healthz', { headers: { 'x-request-id': bad } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('is on the domain context of the request', async () => {
    const res = await h.http('POST', '/__test/ctx', { headers: { 'x-request-id': 'req-ctx-1' } });
    expect(res.body).toEqual({ requestId: 'req-ctx-1' });
    expect(h.runtime.ctx.requestId).toBeUndefined(); // the shared context is not touched
  });
});
