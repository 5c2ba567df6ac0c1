// The FHIR NDJSON export on Postgres: Postgres renders each AuditEvent line (api/domain/audit-fhir-sql.ts)
// and the server forwards one COPY stream; PGlite, and Postgres while every COPY connection is taken, write
// the lines in JavaScript (audit-fhir-json.ts). Both must send the same bytes, and the same bytes as the
// mapping states (toFhirAuditEvent), for every action (with and without a grant, success and failure),
// people known, unknown or unnamed, system events, every shape of details (numbers JavaScript prints its
// own way, keys that are array indices, non-object details, hostile text) and every filter.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import type { AuditFilter } from '../../api/domain/audit';
import { exportAuditNdjson } from '../../api/domain/audit-ndjson';
import { auditSourceOf, FHIR_MAPPING, toFhirAuditEvent } from '../../api/domain/audit-fhir';
import { FhirAuditEventWriter } from '../../api/domain/audit-fhir-json';
import { auditNdjsonQuery } from '../../api/domain/audit-fhir-sql';
import { readAuditRows } from '../../api/domain/audit-rows';
import type { Actor } from '../../api/domain/context';
import { rows } from '../../db/client';
import { postgresAvailable } from '../helpers/database';
import { fhirProblems } from '../helpers/fhir';
import { dbRows, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';
import { expectSameBytes, exportBytes } from '../helpers/export';

const TEXT = [
  'plain',
  'quote " backslash \\ slash / \\u0041',
  'line\nbreak\r\nand\ttab',
  'control \u0001\u0007\u001b\u001f\u007f characters',
  'Žaneta Ñúñez 李雷 🚑 \u200fعربي',
  'odd\u00a0space\u2028line\u2029para\u000bvt\u000cff\u3000wide\u0085nel\ufeffbom\u1680ogham',
  '"}]},{"resourceType":"Patient"}\n{"x":1}',
  "=cmd|' /C calc'!A0",
  '+1+1',
  '@SUM(A1)',
  '   ',
  '\u00a0\u2028',
  '',
  '  padded  ',
];
/** Details of every shape: numbers JavaScript reprints (one too long for SQL to print: its row goes through the writer). */
const DETAILS: unknown[] = [
  {},
  { reason: 'cardiac arrest, bed 4', patientRef: 'MRN-42', code: 'token_invalid' },
  { n: 1, dec: 1.5, trailing: '1.50', neg: -0.25, tiny: 1e-7, small: 0.000001, big: 1e21, bigger: 123456789012345, t: true, f: false, z: null },
  { '10': 'ten', '2': 'two', a: 'a', '01': 'zero-one', '-1': 'minus', '4294967295': 'not an index', '4294967294': 'last index' },
  { nested: { '3': [1, 2.5, { b: null, a: 'x\u00a0y' }], a: {} }, list: [], obj: {} },
  { filter: { action: 'lockout', '1': 2 } },
  { recordId: 'rec-1', recordIds: ['rec-2', 5, '', '   ', null, 'rec-3'] },
  { recordIds: 'not a list', recordId: 7 },
  { username: 'claimed.name', reason: '   ' },
  'a bare string',
  42,
  [1, 'two'],
  null,
];
// Numbers jsonb keeps as written: JavaScript prints 1.5, 100, 1e-7, 0 (so must the SQL); past 15 digits,
// and past the doubles, the writer prints them.
const RAW_DETAILS = [
  '{"a": 1.50, "b": 1e2, "c": 0.00000010, "d": -0.0, "e": 1E+25, "g": -123.4560}',
  '{"f": 12345678901234567890}',
  '{"precise": 123456789012345678}',
  '{"huge": 1e400, "under": -1e-400}',
];

describe.runIf(postgresAvailable)('FHIR NDJSON export rendered by Postgres', () => {
  let h: Harness;
  let admin: TestUser;
  let actor: Actor;
  const source = auditSourceOf('https://et.hospital.example/');

  beforeAll(async () => {
    h = await startHarness({ PUBLIC_URL: 'https://et.hospital.example/' }, { postgres: true });
    admin = await quickUser(h, 'super_admin');
    actor = { id: admin.id, role: 'super_admin' };
    // People: one per role, one with a blank name, one named like their username, one with hostile text.
    const people = await dbRows<{ id: string }>(
      h,
      sql`insert into users (username, name, role) values
            ('p-staff', 'Ana Nurse', 'staff'), ('p-admin', '', 'admin'), ('p-super', 'p-super', 'super_admin'),
            ('p-blank', ${'  \u00a0'}, 'staff'), (${'p\u0001odd "name"\u2028'}, ${TEXT.join(' | ')}, 'admin')
          returning id::text as id`,
    );
    const unknown = '00000000-0000-4000-8000-000000000001';
    const ids = [...people.map((p) => p.id), unknown, null];
    const actions = [...Object.keys(FHIR_MAPPING), '  legacy  thing ', '', ...TEXT];
    const details = [
      ...DETAILS.map((d) => JSON.stringify(d)),
      ...RAW_DETAILS,
      ...TEXT.map((t) => JSON.stringify({ reason: t, note: t, [t]: t, patientRef: t, username: t, code: t, recordIds: [t], nested: { t } })),
    ];
    // Every action with and without a grant, each outcome, each kind of person (or none), each details shape.
    await dbRows(
      h,
      sql`with a as (select array_agg(x order by n) as v from jsonb_array_elements_text(${JSON.stringify(actions)}::jsonb) with ordinality as t(x, n)),
               d as (select array_agg(x::jsonb order by n) as v from jsonb_array_elements_text(${JSON.stringify(details)}::jsonb) with ordinality as t(x, n)),
               p as (select array_agg(x::uuid order by n) as v from jsonb_array_elements_text(${JSON.stringify(ids.filter((x) => x))}::jsonb) with ordinality as t(x, n))
          insert into audit_events (at, action, outcome, actor_id, subject_user_id, token_id, request_id, grant_id, ip, details)
          select timestamptz '2021-03-01T00:00:00Z' + (i / 3) * interval '1 millisecond' + (i % 2) * interval '7 microseconds',
                 a.v[1 + i % cardinality(a.v)],
                 (case when i % 2 = 0 then 'success' else 'failure' end)::audit_outcome,
                 case when i % 7 = 6 then null else p.v[1 + i % cardinality(p.v)] end,
                 case when i % 5 = 0 then null when i % 5 = 1 then p.v[1 + i % cardinality(p.v)] else p.v[1 + (i / 5) % cardinality(p.v)] end,
                 case when i % 3 = 0 then gen_random_uuid() end,
                 case when i % 4 = 0 then gen_random_uuid() end,
                 case when (i / cardinality(a.v)) % 2 = 0 then gen_random_uuid() end,
                 (case i % 4 when 0 then '10.1.2.3' when 1 then '2001:db8::1' when 2 then null else '::ffff:10.0.0.1' end)::inet,
                 d.v[1 + i % cardinality(d.v)]
          from generate_series(1, 4000) as i, a, d, p`,
    );
  });
  afterAll(() => h?.close());

  /** Every byte of a domain export; `copy: false` takes the batched path (PGlite's). */
  const domainExport = (filter: AuditFilter, copy: boolean) => exportBytes(h.runtime.ctx, copy, (ctx) => exportAuditNdjson(ctx, actor, filter, 97));

  const UNTIL_2022 = new Date('2022-01-01T00:00:00Z');
  const filters: Array<[string, AuditFilter]> = [
    ['every seeded event', { to: UNTIL_2022 }],
    ['one action', { action: 'token.validated', to: UNTIL_2022 }],
    [
      'an outcome and a range cutting through ties',
      { outcome: 'failure', from: new Date('2021-03-01T00:00:00.100Z'), to: new Date('2021-03-01T00:00:00.333Z') },
    ],
    ['a user (actor or subject)', { userId: '' }],
    ['everything at once', { action: 'record.viewed', outcome: 'success', from: new Date('2021-01-01'), to: UNTIL_2022, userId: '' }],
    ['nothing matches', { from: new Date('2000-01-01'), to: new Date('2000-01-02') }],
  ];

  it.each(filters)('%s: COPY sends the bytes of the batched path', async (_name, f) => {
    const [staff] = await dbRows<{ id: string }>(h, sql`select id::text as id from users where username = 'p-staff'`);
    const filter = 'userId' in f ? { ...f, userId: staff!.id } : f;
    const viaCopy = await domainExport(filter, true);
    const viaBatches = await domainExport(filter, false);
    expect(viaCopy.copied).toBe(true);
    expectSameBytes(viaCopy.bytes, viaBatches.bytes);
    if (f.from?.getFullYear() !== 2000) expect(viaCopy.bytes.length).toBeGreaterThan(10_000);
  });

  it('each line equals the mapping, is valid FHIR R4, and only rows with numbers SQL cannot print go through the writer', async () => {
    const where = sql`at < '2022-01-01'`;
    const found = await readAuditRows(h.runtime.ctx.db, where, 'newest', 100_000);
    const writer = new FhirAuditEventWriter(source);
    const rendered = await rows<{ line: string | null; row: string | null }>(h.runtime.ctx.db, auditNdjsonQuery(source, where));
    expect(rendered).toHaveLength(found.length);
    const differ = found
      .map((row, i) => ({ id: row.id, reference: JSON.stringify(toFhirAuditEvent(row, source)), r: rendered[i]! }))
      .filter(({ reference, r }) => (r.line !== null ? r.line !== `${reference}\n` : writer.write(JSON.parse(r.row!)) !== reference));
    expect(differ).toEqual([]);
    // Postgres rendered all but the rows holding a number of more than 15 digits (or past the doubles) and
    // those with a key that JavaScript may list out of order (an array index: it goes first).
    const handedBack = found.filter((_, i) => rendered[i]!.line === null).map((row) => JSON.stringify(row.details));
    const digitKey = (d: unknown) => d !== null && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).some((k) => /^[0-9]/.test(k));
    const indexKeys = found.filter((row) => digitKey(row.details)).map((row) => JSON.stringify(row.details));
    expect(indexKeys.length).toBeGreaterThan(0);
    expect(new Set(handedBack)).toEqual(new Set(['{"precise":123456789012345680}', '{"f":12345678901234567000}', '{"huge":null,"under":0}', ...indexKeys]));
    expect(handedBack.length).toBeLessThan(found.length / 5);
    const invalid = found
      .filter((_, i) => i % 7 === 0)
      .map((row) => toFhirAuditEvent(row, source) as AuditEvent)
      .map((r) => ({ id: r.id, problems: fhirProblems(r) }))
      .filter((x) => x.problems.length > 0);
    expect(invalid).toEqual([]);
  });

  it('over HTTP: the COPY bytes, the export audited with its format and filter', async () => {
    const res = await h.runtime.app.request(`/api/v1/audit/export.ndjson?action=lockout&to=${UNTIL_2022.toISOString()}`, {
      headers: { cookie: admin.cookie },
    });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const [own] = await dbRows<{ details: unknown }>(h, sql`select details from audit_events where action = 'audit.exported' order by id desc limit 1`);
    expect(own!.details).toEqual({ format: 'ndjson', filter: { action: 'lockout', to: UNTIL_2022.toISOString() } });
    expectSameBytes(body, (await domainExport({ action: 'lockout', to: UNTIL_2022 }, false)).bytes);
    expect(body.toString().split('\n').length).toBeGreaterThan(50);
  });
});
