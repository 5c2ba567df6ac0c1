// Bad input, generated from the OpenAPI document: for every operation, each path and query parameter and
// each JSON body field gets the values its declared schema excludes (wrong type, null where not nullable,
// out of range, too long, too short, off-pattern, not in the enum, not a uuid or date, a missing required
// field, an unknown field where none is allowed), plus a body that is not an object, malformed JSON and a
// non-JSON media type. Each must be answered 400 invalid_input (415 for the media type) in the contract's
// error shape, naming the field, and change nothing. A new route is covered by being in the document.
// (tests/api/input.test.ts keeps the hand-picked cases that need the configuration or real rows; the
// seeded fuzz of issue 8 checks that random input never gets a 5xx.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../scripts/openapi';
import { expectError, quickUser, startHarness, tableCounts, type Harness, type TestUser } from '../helpers/harness';

interface Schema {
  type?: string | string[];
  anyOf?: Schema[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  $ref?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  'x-required-role'?: string;
}
type Doc = { servers: Array<{ url: string }>; paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

const doc = (await openApiDocument()) as Doc;
const base = doc.servers[0]!.url;
const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components!.schemas![s.$ref.replace('#/components/schemas/', '')]!) : s);
const typesOf = (s: Schema): string[] => {
  const r = resolve(s);
  if (r.anyOf) return r.anyOf.flatMap(typesOf);
  return Array.isArray(r.type) ? r.type : r.type ? [r.type] : [];
};
const formatsOf = (s: Schema): string[] => {
  const r = resolve(s);
  return r.anyOf ? r.anyOf.flatMap(formatsOf) : r.format ? [r.format] : [];
};

/** Values the schema excludes, each with what it is. JSON bodies can carry any type; query text only strings. */
function excluded(s: Schema, where: 'json' | 'text'): Array<[string, unknown]> {
  const r = resolve(s);
  const types = typesOf(r);
  const out: Array<[string, unknown]> = [];
  const isNumber = types.includes('integer') || types.includes('number');
  if (where === 'json') {
    if (!types.includes('string')) out.push(['a string', 'x']);
    if (!isNumber) out.push(['a number', 12345]);
    if (!types.includes('null')) out.push(['null', null]);
    if (!types.includes('boolean') && !types.includes('string')) out.push(['a boolean', true]);
  } else if (isNumber) {
    out.push(['not a number', 'abc']);
  }
  const num = (n: number) => (where === 'json' ? n : String(n));
  if (types.includes('integer')) out.push(['a fraction', num(2.5)]);
  if (isNumber && r.minimum !== undefined) out.push([`below ${r.minimum}`, num(r.minimum - 1)]);
  if (isNumber && r.maximum !== undefined) out.push([`above ${r.maximum}`, num(r.maximum + 1)]);
  if (types.includes('string')) {
    if (r.maxLength !== undefined) out.push([`${r.maxLength + 1} characters`, 'x'.repeat(r.maxLength + 1)]);
    if (r.minLength) out.push([`${r.minLength - 1} characters`, 'x'.repeat(r.minLength - 1)]);
    if (r.enum) out.push(['not in the enum', 'not-one-of-these']);
    if (r.pattern && !new RegExp(r.pattern).test('!')) out.push(['off the pattern', '!']);
    const formats = formatsOf(r);
    if (formats.includes('uuid')) out.push(['not a uuid', 'not-a-uuid']);
    if (formats.some((f) => f === 'date' || f === 'date-time')) out.push(['not a date', 'not-a-date']);
  }
  return out;
}

interface Case {
  name: string;
  /** The field `details` must name (undefined: any). */
  field?: string;
  path: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  raw?: string;
  contentType?: string;
  status: 400 | 415;
  code: 'invalid_input' | 'unsupported_media_type';
}

const VALID_ID = '00000000-0000-4000-8000-000000000000';
function casesFor(op: Operation): Case[] {
  const params = op.parameters ?? [];
  const validPath = Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, VALID_ID]));
  const cases: Case[] = [];
  for (const p of params) {
    if (p.in !== 'path' && p.in !== 'query') continue;
    for (const [what, value] of excluded(p.schema, 'text')) {
      const c: Case = { name: `${p.in} ${p.name}: ${what}`, field: p.name, path: validPath, status: 400, code: 'invalid_input' };
      if (p.in === 'path') c.path = { ...validPath, [p.name]: String(value) };
      else c.query = { [p.name]: String(value) };
      cases.push(c);
    }
  }
  const body = op.requestBody?.content?.['application/json']?.schema;
  if (body) {
    const schema = resolve(body);
    const props = schema.properties ?? {};
    const required = schema.required ?? [];
    // A body valid in every field, so each case breaks exactly one thing (values from the schema itself).
    const minimal = Object.fromEntries(required.map((name) => [name, sample(props[name]!)]));
    for (const [name, prop] of Object.entries(props)) {
      for (const [what, value] of excluded(prop, 'json')) {
        cases.push({ name: `body ${name}: ${what}`, field: name, path: validPath, body: { ...minimal, [name]: value }, status: 400, code: 'invalid_input' });
      }
    }
    for (const name of required) {
      const { [name]: _dropped, ...rest } = minimal;
      cases.push({ name: `body ${name}: missing`, field: name, path: validPath, body: rest, status: 400, code: 'invalid_input' });
    }
    if (schema.additionalProperties === false) {
      cases.push({ name: 'body: an unknown field', path: validPath, body: { ...minimal, unexpectedField: 1 }, status: 400, code: 'invalid_input' });
    }
    cases.push({ name: 'body: not an object', path: validPath, body: [1, 2, 3], status: 400, code: 'invalid_input' });
    cases.push({ name: 'body: malformed JSON', path: validPath, raw: '{"a": ', contentType: 'application/json', status: 400, code: 'invalid_input' });
    cases.push({ name: 'body: not JSON', path: validPath, raw: 'a=1', contentType: 'text/plain', status: 415, code: 'unsupported_media_type' });
  }
  return cases;
}

/** A value the schema accepts, for the fields a case does not break. */
function sample(s: Schema): unknown {
  const r = resolve(s);
  const types = typesOf(r);
  if (r.enum) return r.enum[0];
  if (types.includes('integer') || types.includes('number')) return r.minimum ?? 1;
  if (types.includes('boolean')) return true;
  if (formatsOf(r).includes('uuid')) return VALID_ID;
  if (r.pattern === '^\\d{4,6}$') return '123456';
  if (r.pattern === '^[UW][A-Z0-9]{2,30}$') return 'U0SAMPLE1';
  if (r.pattern) return 'sample.name';
  return 'x'.repeat(Math.max(r.minLength ?? 1, 12));
}

const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op, cases: casesFor(op) })),
);

let h: Harness;
let superAdmin: TestUser;
beforeAll(async () => {
  h = await startHarness();
  superAdmin = await quickUser(h, 'super_admin');
});
afterAll(() => h?.close());

describe('malformed input, generated from the OpenAPI document', () => {
  it('every operation that takes input gets cases', () => {
    const withInput = operations.filter(({ op }) => (op.parameters ?? []).length > 0 || op.requestBody);
    expect(withInput.length).toBeGreaterThan(20);
    expect(withInput.filter((o) => o.cases.length === 0).map((o) => `${o.method} ${o.path}`)).toEqual([]);
  });

  for (const { method, path, op, cases } of operations) {
    if (cases.length === 0) continue;
    it(`${op.operationId ?? `${method} ${path}`}: ${cases.length} bad inputs are refused, naming the field, and change nothing`, async () => {
      // Anyone-operations are called anonymously; the others by a super_admin, whom no role check stops.
      const cookie = op['x-required-role'] === 'anyone' ? undefined : superAdmin.cookie;
      const before = await tableCounts(h);
      for (const c of cases) {
        const url =
          base +
          path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(c.path[name] ?? VALID_ID)) +
          (c.query ? `?${new URLSearchParams(c.query)}` : '');
        const res = await h.http(method, url, {
          cookie,
          // A raw body carries its length, as it does over the wire (the in-process request has none).
          ...(c.raw !== undefined
            ? { raw: c.raw, headers: { 'content-type': c.contentType!, 'content-length': String(Buffer.byteLength(c.raw)) } }
            : c.body !== undefined
              ? { body: c.body }
              : {}),
        });
        try {
          expectError(res, c.status, c.code);
          if (c.field) expect(Object.keys(res.body.error.details ?? {}), 'details name the field').toContain(c.field);
        } catch (err) {
          throw new Error(`${method} ${path} — ${c.name}: ${(err as Error).message}`, { cause: err });
        }
      }
      expect(await tableCounts(h), 'a refused call changes nothing').toEqual(before);
    });
  }
});
