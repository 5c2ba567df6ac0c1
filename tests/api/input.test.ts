// Bad input: malformed JSON, wrong types, out-of-range numbers, oversized bodies and non-JSON content types
// all get a 4xx in the contract's error shape, leak nothing internal, and change nothing in the database.
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, generate, leakIn, quickUser, startHarness, tableCounts, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
  nurse = await quickUser(h);
  // The nurse holds an active grant, so a record write could only fail on its input.
  const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
  expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'input tests' } })).status).toBe(200);
});
afterAll(() => h?.close());

interface Case {
  name: string;
  method: string;
  path: string;
  who: 'admin' | 'nurse';
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** Fields that `details` must name. */
  fields?: string[];
}

const MAX_GENERATE = 1000;
const MAX_REQUEST = 50;
const big = 'x'.repeat(70 * 1024);

const cases: Case[] = [
  // malformed JSON
  {
    name: 'malformed JSON (generate)',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    raw: '{"count": 5,',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'invalid_input',
  },
  {
    name: 'malformed JSON (validate)',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    raw: "{token: '123456'}",
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'invalid_input',
  },
  {
    name: 'JSON that is not an object',
    method: 'POST',
    path: '/api/v1/token-requests',
    who: 'nurse',
    raw: '[1,2,3]',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'invalid_input',
  },
  {
    name: 'empty JSON body where one is required',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    raw: '',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'invalid_input',
  },
  // wrong types
  {
    name: 'count as a string',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: '5' },
    status: 400,
    code: 'invalid_input',
    fields: ['count'],
  },
  {
    name: 'count as a fraction',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 2.5 },
    status: 400,
    code: 'invalid_input',
    fields: ['count'],
  },
  {
    name: 'userId not a uuid',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 1, userId: "1' or '1'='1" },
    status: 400,
    code: 'invalid_input',
    fields: ['userId'],
  },
  {
    name: 'token as a number',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    body: { token: 123456, reason: 'because' },
    status: 400,
    code: 'invalid_input',
    fields: ['token'],
  },
  {
    name: 'token with letters',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    body: { token: '12a456', reason: 'because' },
    status: 400,
    code: 'invalid_input',
    fields: ['token'],
  },
  {
    name: 'token of 7 digits',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    body: { token: '1234567', reason: 'because' },
    status: 400,
    code: 'invalid_input',
    fields: ['token'],
  },
  {
    name: 'validate reason too short',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    body: { token: '123456', reason: 'ab' },
    status: 400,
    code: 'invalid_input',
    fields: ['reason'],
  },
  {
    name: 'validate without reason',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    body: { token: '123456' },
    status: 400,
    code: 'invalid_input',
    fields: ['reason'],
  },
  {
    name: 'triageLevel as a string',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    body: { complaint: 'chest pain', triageLevel: '3' },
    status: 400,
    code: 'invalid_input',
    fields: ['triageLevel'],
  },
  {
    name: 'verdict not in the enum',
    method: 'POST',
    path: '/api/v1/grants/00000000-0000-4000-8000-000000000000/review',
    who: 'admin',
    body: { verdict: 'fine' },
    status: 400,
    code: 'invalid_input',
    fields: ['verdict'],
  },
  {
    name: 'active as a string',
    method: 'PATCH',
    path: '/api/v1/users/00000000-0000-4000-8000-000000000000',
    who: 'admin',
    body: { active: 'no' },
    status: 400,
    code: 'invalid_input',
    fields: ['active'],
  },
  {
    name: 'unknown role',
    method: 'POST',
    path: '/api/v1/users',
    who: 'admin',
    body: { username: 'bad.role', name: 'Bad', role: 'root' },
    status: 400,
    code: 'invalid_input',
    fields: ['role'],
  },
  { name: 'path id not a uuid', method: 'DELETE', path: '/api/v1/tokens/not-a-uuid', who: 'admin', status: 400, code: 'invalid_input' },
  // out of range
  { name: 'count 0', method: 'POST', path: '/api/v1/tokens/generate', who: 'admin', body: { count: 0 }, status: 400, code: 'invalid_input', fields: ['count'] },
  {
    name: 'count 100001',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 100_001 },
    status: 400,
    code: 'invalid_input',
    fields: ['count'],
  },
  {
    name: 'count above MAX_GENERATE_COUNT',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: MAX_GENERATE + 1 },
    status: 400,
    code: 'invalid_input',
    fields: ['count'],
  },
  {
    name: 'length 7',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 1, length: 7 },
    status: 400,
    code: 'invalid_input',
    fields: ['length'],
  },
  {
    name: 'length 3',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 1, length: 3 },
    status: 400,
    code: 'invalid_input',
    fields: ['length'],
  },
  {
    name: 'expiresInDays 0',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 1, expiresInDays: 0 },
    status: 400,
    code: 'invalid_input',
    fields: ['expiresInDays'],
  },
  {
    name: 'expiresInDays 366',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 1, expiresInDays: 366 },
    status: 400,
    code: 'invalid_input',
    fields: ['expiresInDays'],
  },
  {
    name: 'notes over 500',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 1, notes: 'n'.repeat(501) },
    status: 400,
    code: 'invalid_input',
    fields: ['notes'],
  },
  {
    name: 'quantity 0',
    method: 'POST',
    path: '/api/v1/token-requests',
    who: 'nurse',
    body: { quantity: 0 },
    status: 400,
    code: 'invalid_input',
    fields: ['quantity'],
  },
  {
    name: 'quantity above MAX_REQUEST_QUANTITY',
    method: 'POST',
    path: '/api/v1/token-requests',
    who: 'nurse',
    body: { quantity: MAX_REQUEST + 1 },
    status: 400,
    code: 'invalid_input',
    fields: ['quantity'],
  },
  {
    name: 'quantity 100001',
    method: 'POST',
    path: '/api/v1/token-requests',
    who: 'nurse',
    body: { quantity: 100_001 },
    status: 400,
    code: 'invalid_input',
    fields: ['quantity'],
  },
  {
    name: 'request reason over 500',
    method: 'POST',
    path: '/api/v1/token-requests',
    who: 'nurse',
    body: { quantity: 1, reason: 'r'.repeat(501) },
    status: 400,
    code: 'invalid_input',
    fields: ['reason'],
  },
  {
    name: 'triageLevel 6',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    body: { complaint: 'chest pain', triageLevel: 6 },
    status: 400,
    code: 'invalid_input',
    fields: ['triageLevel'],
  },
  {
    name: 'triageLevel 0',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    body: { complaint: 'chest pain', triageLevel: 0 },
    status: 400,
    code: 'invalid_input',
    fields: ['triageLevel'],
  },
  {
    name: 'complaint too short',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    body: { complaint: 'ab', triageLevel: 2 },
    status: 400,
    code: 'invalid_input',
    fields: ['complaint'],
  },
  {
    name: 'record notes over 5000',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    body: { complaint: 'chest pain', triageLevel: 2, notes: 'n'.repeat(5001) },
    status: 400,
    code: 'invalid_input',
    fields: ['notes'],
  },
  {
    name: 'short password',
    method: 'POST',
    path: '/api/v1/users',
    who: 'admin',
    body: { username: 'short.pw', name: 'Short', role: 'staff', password: 'short' },
    status: 400,
    code: 'invalid_input',
    fields: ['password'],
  },
  {
    name: 'bad slack id',
    method: 'POST',
    path: '/api/v1/users',
    who: 'admin',
    body: { username: 'bad.slack', name: 'Slack', role: 'staff', slackUserId: 'not-slack' },
    status: 400,
    code: 'invalid_input',
    fields: ['slackUserId'],
  },
  {
    name: 'unknown field on PATCH /users',
    method: 'PATCH',
    path: '/api/v1/users/00000000-0000-4000-8000-000000000000',
    who: 'admin',
    body: { role: 'staff', isRoot: true },
    status: 400,
    code: 'invalid_input',
  },
  { name: 'query limit 0', method: 'GET', path: '/api/v1/grants?limit=0', who: 'admin', status: 400, code: 'invalid_input', fields: ['limit'] },
  {
    name: 'query reviewed=maybe',
    method: 'GET',
    path: '/api/v1/grants?reviewed=maybe',
    who: 'admin',
    status: 400,
    code: 'invalid_input',
    fields: ['reviewed'],
  },
  { name: 'query status unknown', method: 'GET', path: '/api/v1/tokens?status=lost', who: 'admin', status: 400, code: 'invalid_input', fields: ['status'] },
  // oversized
  {
    name: 'body over 64 KiB (with Content-Length)',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    raw: JSON.stringify({ count: 1, notes: big }),
    headers: { 'content-type': 'application/json', 'content-length': String(JSON.stringify({ count: 1, notes: big }).length) },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'body over 64 KiB (no Content-Length)',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    body: { complaint: 'chest pain', triageLevel: 2, notes: big },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'login body over 64 KiB',
    method: 'POST',
    path: '/api/v1/auth/login',
    who: 'nurse',
    body: { username: 'x', password: big },
    status: 413,
    code: 'payload_too_large',
  },
  // content types
  {
    name: 'text/plain body',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    raw: '{"count":1}',
    headers: { 'content-type': 'text/plain', 'content-length': '11' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'form body',
    method: 'POST',
    path: '/api/v1/token-requests',
    who: 'nurse',
    raw: 'quantity=5',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '10' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'multipart body',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    raw: '--b\r\n\r\n--b--',
    headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': '13' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'JSON body without a content type',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    raw: '{"count":1}',
    headers: { 'content-length': '11' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'Content-Type: application/json;;;',
    method: 'POST',
    path: '/api/v1/token-requests',
    who: 'nurse',
    raw: '{"quantity":1}',
    headers: { 'content-type': 'application/json;;;', 'content-length': '14' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'Content-Type: application/json; foo',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    raw: '{"token":"123456","reason":"because"}',
    headers: { 'content-type': 'application/json; foo' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'Content-Type: application/json; foo (login)',
    method: 'POST',
    path: '/api/v1/auth/login',
    who: 'nurse',
    raw: '{"username":"a","password":"b"}',
    headers: { 'content-type': 'application/json; foo' },
    status: 415,
    code: 'unsupported_media_type',
  },
  // dates the database cannot hold
  { name: 'audit from=0000-01-01', method: 'GET', path: '/api/v1/audit?from=0000-01-01', who: 'admin', status: 400, code: 'invalid_input', fields: ['from'] },
  {
    name: 'audit export from=0000-01-01',
    method: 'GET',
    path: '/api/v1/audit/export.csv?from=0000-01-01',
    who: 'admin',
    status: 400,
    code: 'invalid_input',
    fields: ['from'],
  },
  {
    name: 'grants to=0001-01-01T00:00:00Z',
    method: 'GET',
    path: '/api/v1/grants?to=0001-01-01T00:00:00Z',
    who: 'admin',
    status: 400,
    code: 'invalid_input',
    fields: ['to'],
  },
  { name: 'audit from=1899-12-31', method: 'GET', path: '/api/v1/audit?from=1899-12-31', who: 'admin', status: 400, code: 'invalid_input', fields: ['from'] },
  { name: 'audit from=2026-02-30', method: 'GET', path: '/api/v1/audit?from=2026-02-30', who: 'admin', status: 400, code: 'invalid_input', fields: ['from'] },
  // NUL bytes and lone UTF-16 surrogates in text fields
  {
    name: 'NUL in the validate reason',
    method: 'POST',
    path: '/api/v1/tokens/validate',
    who: 'nurse',
    body: { token: '123456', reason: 'bed \u0000 4' },
    status: 400,
    code: 'invalid_input',
    fields: ['reason'],
  },
  {
    name: 'NUL in a record complaint',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    body: { complaint: 'chest\u0000pain', triageLevel: 2 },
    status: 400,
    code: 'invalid_input',
    fields: ['complaint'],
  },
  {
    name: 'lone surrogate in a patient name',
    method: 'POST',
    path: '/api/v1/emergency-records',
    who: 'nurse',
    body: { complaint: 'chest pain', triageLevel: 2, patientName: 'Ana \ud800' },
    status: 400,
    code: 'invalid_input',
    fields: ['patientName'],
  },
  {
    name: 'lone surrogate in a request reason (reaches audit details jsonb)',
    method: 'POST',
    path: '/api/v1/token-requests',
    who: 'nurse',
    raw: '{"quantity":1,"reason":"night \\udc00 shift"}',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'invalid_input',
    fields: ['reason'],
  },
  {
    name: 'NUL in generate notes',
    method: 'POST',
    path: '/api/v1/tokens/generate',
    who: 'admin',
    body: { count: 1, notes: '\u0000' },
    status: 400,
    code: 'invalid_input',
    fields: ['notes'],
  },
  {
    name: 'NUL in a user name',
    method: 'POST',
    path: '/api/v1/users',
    who: 'admin',
    body: { username: 'nul.name', name: 'N\u0000', role: 'staff' },
    status: 400,
    code: 'invalid_input',
    fields: ['name'],
  },
  { name: 'NUL in the users search', method: 'GET', path: '/api/v1/users?q=%00', who: 'admin', status: 400, code: 'invalid_input', fields: ['q'] },
  {
    name: 'lone surrogate in a reject reason',
    method: 'POST',
    path: '/api/v1/token-requests/00000000-0000-4000-8000-000000000000/reject',
    who: 'admin',
    body: { reason: 'no \udfff way' },
    status: 400,
    code: 'invalid_input',
    fields: ['reason'],
  },
];

describe('bad input is refused in the error shape and changes nothing', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const before = await tableCounts(h);
      const cookie = (c.who === 'admin' ? admin : nurse).cookie;
      const res = await h.http(c.method, c.path, { cookie, body: c.body, raw: c.raw, headers: c.headers });
      expectError(res, c.status, c.code);
      for (const f of c.fields ?? []) expect(Object.keys(res.body.error.details ?? {}), `details name ${f}`).toContain(f);
      expect(await tableCounts(h)).toEqual(before);
    });
  }

  it('the limits that come from the configuration are the ones enforced (MAX_GENERATE_COUNT, MAX_REQUEST_QUANTITY)', async () => {
    expect(h.config.maxGenerateCount).toBe(MAX_GENERATE);
    expect(h.config.maxRequestQuantity).toBe(MAX_REQUEST);
    const atMax = await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: MAX_REQUEST } });
    expect(atMax.status).toBe(201);
  });

  it('a JSON content type with a charset is accepted', async () => {
    const res = await h.http('POST', '/api/v1/token-requests', {
      cookie: nurse.cookie,
      raw: '{"quantity":1}',
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '14' },
    });
    expect(res.status).toBe(201);
  });
});

describe('oversized bodies on a kept-alive connection', () => {
  it('a 3 MB body gets 413 with Connection: close, and the next request on the same client works', async () => {
    const server = serve({ fetch: h.runtime.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    const port = (server.address() as AddressInfo).port;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // 'length' sends Content-Length; 'chunked' sends none and writes the body in two pieces, so Node frames
    // it with Transfer-Encoding: chunked (the server can only count such a body as it reads it).
    const send = (method: string, path: string, body?: string, framing: 'length' | 'chunked' = 'length') =>
      new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            agent,
            headers: {
              cookie: nurse.cookie,
              ...(body && { 'content-type': 'application/json' }),
              ...(body && framing === 'length' && { 'content-length': String(Buffer.byteLength(body)) }),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, text }));
          },
        );
        // The server may answer and close before the whole body is written: that is the point.
        req.on('error', (err) =>
          (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err),
        );
        if (body && framing === 'chunked') {
          req.write(body.slice(0, body.length >> 1));
          req.end(body.slice(body.length >> 1));
        } else req.end(body);
      });
    try {
      const big = JSON.stringify({ complaint: 'chest pain', triageLevel: 2, notes: 'x'.repeat(3 * 1024 * 1024) });
      const first = await send('POST', '/api/v1/emergency-records', big);
      expect(first.status).toBe(413);
      expect(first.connection).toBe('close');
      expect(JSON.parse(first.text).error.code).toBe('payload_too_large');
      const next = await send('GET', '/api/v1/me');
      expect(next.status).toBe(200);
      const chunked = await send('POST', '/api/v1/emergency-records', big, 'chunked');
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.text).error.code).toBe('payload_too_large');
      // Bodies under the limit are read, whichever way they are framed.
      for (const framing of ['length', 'chunked'] as const) {
        const small = await send('POST', '/api/v1/token-requests', JSON.stringify({ quantity: 1, reason: `framed by ${framing}` }), framing);
        expect(small.status, small.text).toBe(201);
      }
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('no internals in error bodies', () => {
  it('errors from deep inside (conflicts, bad ids, unknown rows) carry no stack or SQL', async () => {
    const replies = [
      await h.http('GET', '/api/v1/users/00000000-0000-4000-8000-000000000000/profile', { cookie: admin.cookie }),
      await h.http('PATCH', '/api/v1/users/00000000-0000-4000-8000-000000000000', { cookie: admin.cookie, body: { name: 'Ghost' } }),
      await h.http('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: nurse.username, name: 'Dup', role: 'staff' } }),
      await h.http('POST', '/api/v1/tokens/generate', { cookie: admin.cookie, body: { count: 1, userId: '00000000-0000-4000-8000-000000000000' } }),
      await h.http('GET', '/api/v1/tokens?cursor=%27%3B%20drop%20table%20tokens%3B--', { cookie: admin.cookie }),
      await h.http('GET', '/api/v1/audit?cursor=99999999999999999999', { cookie: admin.cookie }),
      await h.http('GET', '/api/v1/grants?cursor=not-a-uuid', { cookie: admin.cookie }),
    ];
    // A cursor the list never gave out is refused rather than silently restarting from the first page.
    expect(replies.map((r) => r.status)).toEqual([404, 404, 409, 404, 400, 400, 400]);
    for (const r of replies) expect(leakIn(r.text), r.text.slice(0, 200)).toBeNull();
  });
});
