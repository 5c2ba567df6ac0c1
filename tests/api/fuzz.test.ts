// Property: no input, however malformed, gets a 5xx. Seeded, bounded fuzzing (fast-check) over every
// operation of the OpenAPI document the server publishes, so a new route is fuzzed without being listed
// here: random path ids (real, unknown, garbage), query values, JSON bodies built from the operation's
// own field names with hostile values (NUL, lone surrogates, year-0 dates, huge numbers, wrong types),
// raw garbage bodies, odd media types, as an admin, a staff member or anonymously. Every 4xx must be in
// the contract's error shape. The cases from issue 8's table are pinned as examples.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorStatus } from '../../api/domain/errors';
import { generate, leakIn, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
/** Ids of real rows, so fuzzed requests also reach past "not found". Never the actors themselves. */
const real: Record<string, string> = {};
// `base`: the operation's own server (GET /readyz is served at the root), else /api/v1.
let operations: Array<{ method: string; base: string; path: string; query: string[]; body: string[] }> = [];

beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'super_admin');
  nurse = await quickUser(h);
  const target = await quickUser(h);
  const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
  const grant = await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'fuzzing' } });
  const request = await h.http('POST', '/api/v1/token-requests', { cookie: target.cookie, body: { quantity: 2 } });
  const [spare] = await generate(h, admin, { count: 1 });
  Object.assign(real, { user: target.id, grant: grant.body.grant.id, request: request.body.request.id, token: spare!.id });

  const doc = await h.http('GET', '/api/v1/openapi.json');
  for (const [path, ops] of Object.entries(
    doc.body.paths as Record<
      string,
      Record<
        string,
        {
          servers?: Array<{ url: string }>;
          parameters?: Array<{ in: string; name: string }>;
          requestBody?: { content?: Record<string, { schema?: { properties?: object } }> };
        }
      >
    >,
  )) {
    for (const [method, op] of Object.entries(ops)) {
      operations.push({
        method: method.toUpperCase(),
        base: op.servers?.[0]?.url.replace(/\/$/, '') ?? '/api/v1',
        path,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
      });
    }
  }
  operations = operations.sort((a, b) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`));
});
afterAll(() => h?.close());

interface Req {
  op: number;
  who: 'admin' | 'nurse' | 'anonymous';
  id: string;
  query: Array<[string, string]>;
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string };
  contentType: string | null;
}

const hostile = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  'a\ud83dz',
  '\ufeff',
  '0000-01-01',
  '0000-01-01T00:00:00Z',
  '9999-12-31',
  '1899-12-31',
  '2026-02-30',
  '-1',
  '1e309',
  'NaN',
  'null',
  "'; drop table tokens;--",
  '%00',
  '../../etc/passwd',
  '<script>',
  "=cmd|' /C calc'!A0",
  '',
);
const text = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.string({ maxLength: 12 }), hostile), { maxLength: 4 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(600), 'y'.repeat(6000)) },
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 5, 50, 1000, 100_001, 2 ** 53, 1e308), fc.double()) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(text, text, { maxKeys: 3 }) },
);
/** Percent-encode every byte (a lone surrogate becomes U+FFFD, as in any UTF-8 client). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
/** Raw escapes as a hostile client could write them: a lone surrogate in WTF-8, invalid UTF-8, broken escapes. */
const rawEscape = fc.constantFrom('%ED%A0%80', '%FF', '%C0%80', '%', '%zz', '%00');
const urlPart = fc.oneof({ weight: 3, arbitrary: text.map(pct) }, { weight: 1, arbitrary: fc.tuple(text.map(pct), rawEscape).map(([a, b]) => a + b) });
const idArb = fc.oneof(
  fc.constantFrom('user', 'grant', 'request', 'token').map((k) => `@${k}`),
  fc.uuid(),
  urlPart,
);

function reqArb(): fc.Arbitrary<Req> {
  return fc.integer({ min: 0, max: operations.length - 1 }).chain((op) => {
    const o = operations[op]!;
    const fields = o.body.length ? o.body : ['x'];
    return fc.record({
      op: fc.constant(op),
      who: fc.constantFrom('admin', 'nurse', 'anonymous') as fc.Arbitrary<Req['who']>,
      id: idArb,
      query: o.query.length ? fc.array(fc.tuple(fc.constantFrom(...o.query), urlPart), { maxLength: 4 }) : fc.constant([] as Array<[string, string]>),
      body: fc.oneof(
        {
          weight: 5,
          arbitrary: fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: fields.length }).map((v) => ({ kind: 'json' as const, value: v })),
        },
        { weight: 1, arbitrary: value.map((v) => ({ kind: 'json' as const, value: v })) },
        { weight: 1, arbitrary: text.map((t) => ({ kind: 'raw' as const, text: t })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
      ),
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant('application/json') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'application/json; charset=utf-8',
            'application/json;;;',
            'application/json; foo',
            'application/json; charset',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/vnd.api+json',
            '',
          ),
        },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
    });
  });
}

async function send(r: Req) {
  const o = operations[r.op]!;
  const id = r.id.startsWith('@') ? real[r.id.slice(1)]! : r.id;
  // Query values are already percent-encoded (pinned examples use plain text, encoded here).
  const query = r.query.map(([k, v]) => `${k}=${/%/.test(v) ? v : pct(v)}`).join('&');
  const path = `${o.base}${o.path.replace('{id}', id)}${query ? `?${query}` : ''}`;
  // Signing out (here or everywhere) would end the sessions the rest of the run uses: fuzzed anonymously.
  const who = o.path.startsWith('/auth/logout') ? 'anonymous' : r.who;
  const headers: Record<string, string> = {};
  if (who !== 'anonymous') headers.cookie = (who === 'admin' ? admin : nurse).cookie;
  let body: string | undefined;
  if (r.body.kind !== 'none' && o.method !== 'GET') {
    // JSON.stringify writes a lone surrogate as an escape, as a real client would send it.
    body = r.body.kind === 'json' ? (JSON.stringify(r.body.value) ?? 'null') : r.body.text;
    if (r.contentType !== null) headers['content-type'] = r.contentType;
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const res = await h.runtime.app.request(path, { method: o.method, headers, body });
  // The event stream never ends by itself: its status and type are what count.
  const streaming = res.headers.get('content-type')?.includes('text/event-stream');
  const text = streaming ? '' : await res.text();
  if (streaming) await res.body?.cancel();
  return { status: res.status, text, what: `${o.method} ${path.slice(0, 200)} as ${who}` };
}

const seen = new Map<number, number>();
function checkReply(res: { status: number; text: string; what: string }) {
  seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
  const where = `${res.what} → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  if (res.status >= 400) {
    let body: { error?: { code?: string; message?: string } } | undefined;
    try {
      body = JSON.parse(res.text);
    } catch {
      body = undefined;
    }
    expect(body?.error?.code, where).toEqual(expect.any(String));
    expect(body?.error?.message, where).toEqual(expect.any(String));
    expect(errorStatus[body!.error!.code as keyof typeof errorStatus], where).toBe(res.status);
    expect(leakIn(res.text), where).toBeNull();
  }
}

const json = (value: unknown): Req['body'] => ({ kind: 'json', value });
const op = (method: string, path: string) => {
  const i = operations.findIndex((o) => o.method === method && o.path === path);
  if (i < 0) throw new Error(`${method} ${path} is not in the OpenAPI document`);
  return i;
};

/** The malformed inputs of issue 8's table, as requests of the property. */
const pinned = (): Req[] => [
  { op: op('POST', '/token-requests'), who: 'nurse', id: '', query: [], body: json({ quantity: 1 }), contentType: 'application/json;;;' },
  {
    op: op('POST', '/tokens/validate'),
    who: 'nurse',
    id: '',
    query: [],
    body: json({ token: '123456', reason: 'because' }),
    contentType: 'application/json; foo',
  },
  { op: op('POST', '/auth/login'), who: 'anonymous', id: '', query: [], body: json({ username: 'x', password: 'y' }), contentType: 'application/json; foo' },
  { op: op('GET', '/audit'), who: 'admin', id: '', query: [['from', '0000-01-01']], body: { kind: 'none' }, contentType: null },
  { op: op('GET', '/audit/export.csv'), who: 'admin', id: '', query: [['from', '0000-01-01']], body: { kind: 'none' }, contentType: null },
  { op: op('GET', '/grants'), who: 'admin', id: '', query: [['to', '0000-01-01T00:00:00Z']], body: { kind: 'none' }, contentType: null },
  { op: op('POST', '/token-requests'), who: 'nurse', id: '', query: [], body: json({ quantity: 1, reason: 'a\u0000b' }), contentType: 'application/json' },
  {
    op: op('POST', '/token-requests'),
    who: 'nurse',
    id: '',
    query: [],
    body: json({ quantity: 1, reason: 'lone \ud800 surrogate' }),
    contentType: 'application/json',
  },
  {
    op: op('POST', '/auth/login'),
    who: 'anonymous',
    id: '',
    query: [],
    body: json({ username: 'nul\u0000user', password: 'p\u0000' }),
    contentType: 'application/json',
  },
  {
    op: op('POST', '/auth/login'),
    who: 'anonymous',
    id: '',
    query: [],
    body: json({ username: 'lone\udc00user', password: 'x' }),
    contentType: 'application/json',
  },
  {
    op: op('POST', '/users'),
    who: 'admin',
    id: '',
    query: [],
    body: json({ username: 'fuzz.pin', name: '\ud800', role: 'staff' }),
    contentType: 'application/json',
  },
  { op: op('PATCH', '/users/{id}'), who: 'admin', id: '@user', query: [], body: json({ name: 'x\u0000' }), contentType: 'application/json' },
  { op: op('GET', '/users'), who: 'admin', id: '', query: [['q', '\u0000']], body: { kind: 'none' }, contentType: null },
  {
    op: op('POST', '/emergency-records'),
    who: 'nurse',
    id: '',
    query: [],
    body: json({ complaint: 'chest pain', triageLevel: 2, patientName: 'Ana\u0000' }),
    contentType: 'application/json',
  },
  {
    op: op('POST', '/grants/{id}/review'),
    who: 'admin',
    id: '@grant',
    query: [],
    body: json({ verdict: 'flagged', note: '\udfff' }),
    contentType: 'application/json',
  },
];

describe('fuzzing every operation of the OpenAPI document', () => {
  it('covers every documented operation', () => {
    expect(operations.length).toBeGreaterThanOrEqual(28);
  });

  it('the malformed inputs of the issue get a 4xx in the error shape', async () => {
    for (const r of pinned()) checkReply(await send(r));
  });

  it('no generated request gets a 5xx, and every 4xx has the error shape (seeded, bounded)', async () => {
    await fc.assert(
      fc.asyncProperty(reqArb(), async (r) => checkReply(await send(r))),
      { seed: 20_260_808, numRuns: Number(process.env.FUZZ_RUNS ?? 1000), examples: pinned().map((r) => [r]), endOnFailure: true },
    );
  });

  it('the run reached past validation: successes and domain refusals, not only 400s', () => {
    const count = (pred: (status: number) => boolean) => [...seen].filter(([st]) => pred(st)).reduce((a, [, n]) => a + n, 0);
    expect(count((st) => st >= 200 && st < 300)).toBeGreaterThan(0);
    expect(count((st) => st === 404 || st === 409 || st === 403)).toBeGreaterThan(0);
    if (process.env.FUZZ_STATS) console.log(Object.fromEntries([...seen].sort(([a], [b]) => a - b)));
  });

  it('the sessions used above are still good at the end', async () => {
    // Guards against a run that only ever met 401s.
    expect((await h.http('GET', '/api/v1/me', { cookie: admin.cookie })).status).toBe(200);
    expect((await h.http('GET', '/api/v1/me', { cookie: nurse.cookie })).status).toBe(200);
  });
});
