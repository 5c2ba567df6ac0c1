// The FHIR export (GET /audit/export.ndjson): every kind of event the server writes, produced through the
// real API, comes out as one FHIR R4 AuditEvent per line that validates against the R4 structure
// definitions and JSON schema (tests/helpers/fhir.ts); the IHE BALP shape carries who, what, when, the
// outcome and break-the-glass; the filters, order and keyset batches are the CSV's.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { sweepExpired } from '../../api/domain/sweep';
import { NDJSON_BATCH } from '../../api/domain/audit-ndjson';
import { auditSourceOf, toFhirAuditEvent } from '../../api/domain/audit-fhir';
import { FhirAuditEventWriter } from '../../api/domain/audit-fhir-json';
import { readAuditRows } from '../../api/domain/audit-rows';
import { auditNdjsonQuery } from '../../api/domain/audit-fhir-sql';
import { rows } from '../../db/client';
import { countRows, dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';
import { fhirProblems } from '../helpers/fhir';

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
let grantId: string;
let tokenId: string;
let recordId: string;

beforeAll(async () => {
  h = await startHarness({ PUBLIC_URL: 'https://et.hospital.example' });
  admin = await quickUser(h, 'super_admin', { name: 'Dr Admin' });
  const call = (u: TestUser | null, method: string, path: string, body?: unknown) => h.http(method, `/api/v1${path}`, { cookie: u?.cookie, body });
  nurse = await h.user('staff', { name: 'Ana Nurse' });
  const other = await quickUser(h);

  // Sign-in: success, a wrong password, sign-outs.
  await call(null, 'POST', '/auth/login', { username: nurse.username, password: 'wrong-password' });
  await call(null, 'POST', '/auth/login', { username: 'nobody-here', password: 'wrong-password' });
  await call(await quickUser(h), 'POST', '/auth/logout');
  // Tokens: generated, a wrong validation, a lockout, the right one; a record, reads, the session ended.
  const mine = await generate(h, admin, { count: 3, userId: nurse.id });
  const locked = await quickUser(h);
  for (let i = 0; i < 6; i++) await call(locked, 'POST', '/tokens/validate', { token: '000000', reason: 'wrong on purpose' });
  const v = await call(nurse, 'POST', '/tokens/validate', { token: mine[0]!.token, reason: 'cardiac arrest, bed 4', patientRef: 'MRN-42' });
  grantId = v.body.grant.id;
  tokenId = v.body.grant.tokenId;
  recordId = (await call(nurse, 'POST', '/emergency-records', { complaint: 'chest pain', triageLevel: 1 })).body.record.id;
  await call(nurse, 'GET', '/emergency-records');
  await call(nurse, 'GET', `/emergency-records/${recordId}`);
  await call(other, 'GET', `/emergency-records/${recordId}`);
  await call(admin, 'GET', `/emergency-records/${recordId}`);
  await call(admin, 'GET', `/users/${nurse.id}/profile`);
  await call(nurse, 'POST', '/emergency-session/clear');
  await call(admin, 'POST', `/grants/${grantId}/review`, { verdict: 'justified', note: 'arrest confirmed' });
  await call(admin, 'DELETE', `/tokens/${mine[1]!.id}`);
  // Requests: created, approved, rejected.
  const r1 = await call(other, 'POST', '/token-requests', { quantity: 2, reason: 'low' });
  const r2 = await call(other, 'POST', '/token-requests', { quantity: 3 });
  await call(admin, 'POST', `/token-requests/${r1.body.request.id}/approve`, { note: 'ok' });
  await call(admin, 'POST', `/token-requests/${r2.body.request.id}/reject`, { reason: 'not now' });
  // Users, settings, a CSV export, the sweep's expiries.
  const created = await call(admin, 'POST', '/users', { username: 'fhir-user', name: 'Fhir User', role: 'staff' });
  await call(admin, 'PATCH', `/users/${created.body.user.id}`, { role: 'admin' });
  await call(admin, 'PATCH', '/settings', { escalationText: 'Call 1234' });
  await call(admin, 'GET', '/audit/export.csv?action=lockout');
  await h.runtime.ctx.db.execute(sql`update tokens set expires_at = now() - interval '1 second' where id = ${mine[2]!.id}`);
  await call(other, 'POST', '/token-requests', { quantity: 1 });
  await h.runtime.ctx.db.execute(sql`update token_requests set expires_at = now() - interval '1 second' where status = 'pending'`);
  await sweepExpired(h.runtime.ctx);
  // A row no mapping knows (written by an older or newer server, or by hand) must still be valid FHIR.
  await dbRows(h, sql`insert into audit_events (action, outcome, details) values ('  legacy  thing ', 'failure', '"plain string"'::jsonb)`);
});
afterAll(() => h?.close());

async function exportNdjson(query = '') {
  const res = await h.runtime.app.request(`/api/v1/audit/export.ndjson${query ? `?${query}` : ''}`, { headers: { cookie: admin.cookie } });
  expect(res.status).toBe(200);
  let text = '';
  let chunks = 0;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  text += decoder.decode();
  expect(text.endsWith('\n')).toBe(true);
  const resources = text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as AuditEvent);
  return { res, chunks, resources };
}

const byAction = (resources: AuditEvent[], action: string) =>
  resources.filter((r) => r.subtype?.some((c) => c.system === 'urn:emergency-token:audit-action' && c.code === action));
const BTG = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'break the glass' };
const hasBtg = (r: AuditEvent) => (r.agent[0]!.purposeOfUse ?? []).some((p) => p.coding?.some((c) => c.code === 'BTG'));

describe('the validators', () => {
  it('refuse what R4 refuses (so a clean result above means something)', () => {
    const valid: AuditEvent = {
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      recorded: '2026-01-01T00:00:00Z',
      agent: [{ requestor: true }],
      source: { observer: { display: 'x' } },
    };
    expect(fhirProblems(valid)).toEqual([]);
    expect(fhirProblems({ ...valid, action: 'Z' } as never)).not.toEqual([]);
    expect(fhirProblems({ ...valid, outcome: '1' } as never)).not.toEqual([]);
    expect(fhirProblems({ ...valid, agent: [{ who: { display: 'x' } }] } as never)).not.toEqual([]);
    expect(fhirProblems({ ...valid, recorded: 'yesterday' })).not.toEqual([]);
    expect(fhirProblems({ ...valid, entity: [{ name: 'x', query: 'eA==' }] })).not.toEqual([]);
    expect(fhirProblems({ ...valid, colour: 'red' } as never)).not.toEqual([]);
  });
});

describe('FHIR AuditEvent NDJSON export', () => {
  let resources: AuditEvent[];
  beforeAll(async () => {
    const out = await exportNdjson();
    resources = out.resources;
    expect(out.res.headers.get('content-type')).toBe('application/fhir+ndjson; charset=utf-8');
    expect(out.res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.ndjson"$/);
  });

  it('has one resource per event, newest first, the export itself first', async () => {
    expect(resources).toHaveLength(await countRows(h, 'audit_events'));
    const ids = (await dbRows<{ sid: string }>(h, sql`select id::text as sid from audit_events order by at desc, id desc`)).map((r) => r.sid);
    expect(resources.map((r) => r.id)).toEqual(ids);
    expect(byAction([resources[0]!], 'audit.exported')).toHaveLength(1);
  });

  it('covers every kind of event the flows wrote, each a valid FHIR R4 AuditEvent', async () => {
    const actions = new Set(resources.flatMap((r) => r.subtype!.filter((c) => c.system === 'urn:emergency-token:audit-action').map((c) => c.code)));
    expect(actions.size).toBeGreaterThanOrEqual(22);
    const invalid = resources.map((r) => ({ id: r.id, problems: fhirProblems(r) })).filter((x) => x.problems.length > 0);
    expect(invalid).toEqual([]);
  });

  it('the validation that opened the grant: BALP shape, break-the-glass with the reason, token, grant and patient', () => {
    const [ok] = byAction(resources, 'token.validated').filter((r) => r.outcome === '0');
    expect(ok).toMatchObject({
      resourceType: 'AuditEvent',
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113' },
      action: 'E',
      outcome: '0',
      purposeOfEvent: [{ coding: [BTG], text: 'cardiac arrest, bed 4' }],
      source: { site: 'et.hospital.example', observer: { identifier: { value: 'https://et.hospital.example' } }, type: [{ code: '4' }] },
    });
    expect(ok!.subtype![0]).toEqual({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110127', display: 'Emergency Override Started' });
    expect(Date.parse(ok!.recorded)).toBeGreaterThan(Date.now() - 600_000);
    expect(ok!.agent).toEqual([
      expect.objectContaining({
        requestor: true,
        who: { identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${nurse.id}` }, display: `Ana Nurse (${nurse.username})` },
        altId: nurse.username,
        role: [{ coding: [{ system: 'urn:emergency-token:role', code: 'staff' }] }],
        purposeOfUse: [{ coding: [BTG], text: 'cardiac arrest, bed 4' }],
      }),
    ]);
    const what = ok!.entity!.map((e) => [e.role?.code, e.what?.identifier?.value]);
    expect(what).toEqual([
      ['13', `urn:uuid:${grantId}`],
      ['13', `urn:uuid:${tokenId}`],
      ['1', 'MRN-42'],
    ]);
  });

  it('failed validations are break-the-glass attempts too, with the outcome code', () => {
    const failed = byAction(resources, 'token.validated').filter((r) => r.outcome !== '0');
    expect(failed.length).toBeGreaterThanOrEqual(5);
    for (const f of failed) {
      expect(f.outcome).toBe('4');
      expect(hasBtg(f)).toBe(true);
      expect(['token_invalid', 'too_many_attempts']).toContain(f.outcomeDesc);
    }
  });

  it('accesses under the grant carry BTG; the same reads without one do not', () => {
    const underGrant = ['record.created', 'record.listed', 'grant.cleared'].flatMap((a) => byAction(resources, a));
    expect(underGrant.length).toBe(3);
    for (const r of underGrant) expect(hasBtg(r), r.subtype!.at(-1)!.code).toBe(true);
    const views = byAction(resources, 'record.viewed');
    const nurseView = views.find((r) => r.agent[0]!.altId === nurse.username)!;
    const adminView = views.find((r) => r.agent[0]!.altId === admin.username)!;
    expect(hasBtg(nurseView)).toBe(true);
    expect(nurseView).toMatchObject({
      action: 'R',
      type: { code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }, { code: 'record.viewed' }],
    });
    expect(nurseView.entity![0]!.what!.identifier!.value).toBe(`urn:uuid:${recordId}`);
    expect(hasBtg(adminView)).toBe(false);
    expect(adminView.purposeOfEvent).toBeUndefined();
    // Not accesses under a grant: the review of one, a profile view, a login.
    for (const a of ['grant.reviewed', 'user.viewed', 'auth.login', 'token.generated'])
      for (const r of byAction(resources, a)) expect(hasBtg(r), a).toBe(false);
  });

  it('standard types for sign-in, exports, lockouts; the person concerned as an entity; the sweep as the server', () => {
    // A wrong password for a known account names the account; an unknown username only the claim.
    const failedLogins = byAction(resources, 'auth.login').filter((r) => r.outcome === '4');
    for (const login of failedLogins)
      expect(login).toMatchObject({ type: { code: '110114' }, subtype: [{ code: '110122' }, { code: 'auth.login' }], action: 'E' });
    expect(failedLogins.map((r) => r.agent[0]!.who)).toEqual([
      { display: 'unauthenticated: nobody-here' },
      { identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${nurse.id}` }, display: `Ana Nurse (${nurse.username})` },
    ]);
    const [exported] = byAction(resources, 'audit.exported').slice(-1); // the CSV export, the older one
    expect(exported).toMatchObject({ type: { code: '110101', display: 'Audit Log Used' }, action: 'R' });
    const query = exported!.entity!.find((e) => e.role?.code === '24')!;
    expect(JSON.parse(Buffer.from(query.query!, 'base64').toString())).toEqual({ action: 'lockout' });
    expect(byAction(resources, 'lockout')[0]).toMatchObject({ type: { code: '110113' }, action: 'E' });
    const [profile] = byAction(resources, 'user.viewed');
    expect(profile!.entity).toEqual([
      expect.objectContaining({
        what: expect.objectContaining({ display: `Ana Nurse (${nurse.username})` }),
        type: expect.objectContaining({ code: '1' }),
        role: expect.objectContaining({ code: '11' }),
      }),
    ]);
    const [expired] = byAction(resources, 'token.expired');
    expect(expired!.agent).toEqual([
      expect.objectContaining({
        requestor: true,
        type: { coding: [expect.objectContaining({ code: '110150' })] },
        who: expect.objectContaining({ display: 'Emergency Token' }),
      }),
    ]);
  });

  it('details are kept as entity details; an unknown action still maps to a valid resource', () => {
    const [review] = byAction(resources, 'grant.reviewed');
    expect(review!.entity![0]!.detail).toEqual(
      expect.arrayContaining([
        { type: 'verdict', valueString: 'justified' },
        { type: 'note', valueString: 'arrest confirmed' },
      ]),
    );
    const [legacy] = byAction(resources, 'legacy thing');
    expect(legacy).toMatchObject({
      type: { code: '110100' },
      action: 'E',
      outcome: '4',
      entity: [{ detail: [{ type: 'value', valueString: 'plain string' }] }],
    });
  });

  it('applies the same filters as the CSV export and records its own format and filter', async () => {
    const { resources: failures } = await exportNdjson('action=token.validated&outcome=failure');
    expect(failures.length).toBe(await countRows(h, 'audit_events', sql`action = 'token.validated' and outcome = 'failure'`));
    expect(failures.every((r) => r.outcome === '4')).toBe(true);
    const [own] = await dbRows<{ details: Record<string, unknown> }>(
      h,
      sql`select details from audit_events where action = 'audit.exported' order by id desc limit 1`,
    );
    expect(own!.details).toEqual({ format: 'ndjson', filter: { action: 'token.validated', outcome: 'failure' } });
    const { resources: forNurse } = await exportNdjson(`userId=${nurse.id}`);
    expect(forNurse.length).toBe(await countRows(h, 'audit_events', sql`actor_id = ${nurse.id} or subject_user_id = ${nurse.id}`));
  });

  it('admins only; bad filters are 400 in the error shape', async () => {
    expectError(await h.http('GET', '/api/v1/audit/export.ndjson', { cookie: nurse.cookie }), 403, 'forbidden');
    expectError(await h.http('GET', '/api/v1/audit/export.ndjson'), 401, 'unauthenticated');
    expectError(await h.http('GET', '/api/v1/audit/export.ndjson?outcome=maybe', { cookie: admin.cookie }), 400, 'invalid_input');
  });
});

describe('a large export', () => {
  it(`streams in keyset batches of ${NDJSON_BATCH}: every event once, in order, across ties of timestamps`, async () => {
    const seeded = NDJSON_BATCH * 2 + 321;
    // Ties of three share a timestamp, so batches must break them by id.
    await dbRows(
      h,
      sql`insert into audit_events (at, action, outcome, actor_id, details)
          select timestamptz '2020-01-01T00:00:00Z' + (i / 3) * interval '1 second', 'token.validated',
                 (case when i % 2 = 0 then 'success' else 'failure' end)::audit_outcome, ${nurse.id}::uuid, jsonb_build_object('code', 'token_invalid', 'n', i)
          from generate_series(1, ${seeded}) as i`,
    );
    const { chunks, resources } = await exportNdjson('from=2020-01-01T00:00:00Z&to=2020-12-31T23:59:59Z');
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(resources).toHaveLength(seeded);
    expect(new Set(resources.map((r) => r.id)).size).toBe(seeded);
    const ids = (await dbRows<{ sid: string }>(h, sql`select id::text as sid from audit_events where at < '2021-01-01' order by at desc, id desc`)).map(
      (r) => r.sid,
    );
    expect(resources.map((r) => r.id)).toEqual(ids);
    // A sample across the batch boundaries validates too.
    for (const i of [0, NDJSON_BATCH - 1, NDJSON_BATCH, NDJSON_BATCH * 2, seeded - 1]) expect(fhirProblems(resources[i]!)).toEqual([]);
  });

  it('names each of more people than it keeps looked up, right in every batch', async () => {
    // Each event by one of 1,100 people (more than People in audit-rows.ts keeps) and about another, over
    // five batches, so lookups are dropped and made again mid-export and people recur across batches.
    const people = 1_100;
    const seeded = NDJSON_BATCH * 5 + 77;
    await dbRows(
      h,
      sql`insert into users (username, name, role)
          select 'many-' || g, 'Many Person ' || g, (case when g % 2 = 0 then 'staff' else 'admin' end)::role
          from generate_series(1, ${people}) as g`,
    );
    await dbRows(
      h,
      sql`with u as (select array_agg(id order by username) as ids from users where username like 'many-%')
          insert into audit_events (at, action, outcome, actor_id, subject_user_id, details)
          select timestamptz '2018-01-01T00:00:00Z' + i * interval '1 second', 'user.viewed', 'success',
                 u.ids[1 + (i * 7) % ${people}], u.ids[1 + (i * 11) % ${people}], jsonb_build_object('n', i)
          from generate_series(1, ${seeded}) as i, u`,
    );
    const { resources } = await exportNdjson('from=2018-01-01T00:00:00Z&to=2018-12-31T23:59:59Z');
    expect(resources).toHaveLength(seeded);
    const reference = (await bothWays(sql`at >= '2018-01-01' and at < '2019-01-01'`)).map((x) => JSON.parse(x.reference) as AuditEvent);
    expect(resources).toEqual(reference);
    expect(new Set(resources.map((r) => r.agent[0]!.who!.display)).size).toBe(people);
  });
});

/**
 * Every event `where` selects, as the mapping states it, as the export's writer writes it and, on
 * Postgres (where the export is Postgres's COPY), as Postgres renders it (audit-fhir-sql.ts; a row it
 * hands back is written by the writer, as the export does).
 */
async function bothWays(where = sql`true`) {
  const source = auditSourceOf('https://et.hospital.example');
  const writer = new FhirAuditEventWriter(source);
  const found = await readAuditRows(h.runtime.ctx.db, where, 'newest', 100_000);
  const rendered = h.runtime.ctx.database.copyOut
    ? (await rows<{ line: string | null; row: string | null }>(h.runtime.ctx.db, auditNdjsonQuery(source, where))).map((r) =>
        r.line !== null ? r.line.slice(0, -1) : writer.write(JSON.parse(r.row!)),
      )
    : undefined;
  return found.map((row, i) => ({
    id: row.id,
    reference: JSON.stringify(toFhirAuditEvent(row, source)),
    written: writer.write(row),
    rendered: rendered?.[i],
  }));
}

describe('the JSON writer the export uses', () => {
  // On Postgres the export's lines are rendered by Postgres (audit-fhir-sql.ts); they must be the same bytes
  // too. One test on both databases, so neither leg of CI skips it.
  it('writes, byte for byte, the resource the mapping states, for every event the flows wrote (and so does Postgres)', async () => {
    const all = await bothWays();
    expect(all.length).toBeGreaterThan(40);
    expect(all.filter((x) => x.written !== x.reference)).toEqual([]);
    const onPostgres = h.runtime.ctx.database.kind === 'postgres';
    expect(all.every((x) => (x.rendered !== undefined) === onPostgres)).toBe(true);
    expect(all.filter((x) => x.rendered !== undefined && x.rendered !== x.reference).map((x) => ({ reference: x.reference, rendered: x.rendered }))).toEqual(
      [],
    );
  });
});

describe('free text that JSON or FHIR could trip on', () => {
  // Quotes, backslashes, line breaks, control characters, text that looks like JSON or another NDJSON
  // line, astral and right-to-left characters, and whitespace R4 strings do not allow (no-break space,
  // vertical tab, form feed, line and paragraph separators, ideographic space) next to some it does (NEL).
  const NASTY = [
    'quote " backslash \\ slash / and \\u0041 as text',
    'line\nbreak\r\nand\ttab',
    'control \u0001\u0007\u001b\u001f characters',
    'Žaneta Ñúñez 李雷 🚑 \u200fعربي',
    'odd\u00a0space\u2028line\u2029para\u000bvt\u000cff\u3000wide\u0085nel',
    '"}]},{"resourceType":"Patient"}\n{"x":1}',
  ];
  let who: TestUser;
  const from = '2019-01-01T00:00:00Z';
  const to = '2019-12-31T23:59:59Z';
  beforeAll(async () => {
    who = await quickUser(h);
    await dbRows(h, sql`update users set name = ${NASTY.join(' | ')} where id = ${who.id}`);
    const events = NASTY.map((text, i) => ({
      actor: i % 2 === 0 ? who.id : null,
      subject: who.id,
      action: i === 5 ? text : 'record.viewed',
      details: {
        reason: text,
        note: text,
        [text]: i,
        code: text,
        patientRef: text,
        recordIds: [text],
        username: text,
        nested: { text, list: [text, i] },
        filter: { text },
      },
    }));
    events.push({ actor: null, subject: who.id, action: 'audit.exported', details: { filter: { action: NASTY[5]! } } as never });
    for (const [i, e] of events.entries())
      await dbRows(
        h,
        sql`insert into audit_events (at, action, outcome, actor_id, subject_user_id, grant_id, details)
            values (timestamptz '2019-06-01T00:00:00Z' + ${i} * interval '1 second', ${e.action}, 'success', ${e.actor}::uuid, ${e.subject}::uuid,
                    ${i === 0 ? grantId : null}::uuid, ${JSON.stringify(e.details)}::jsonb)`,
      );
  });

  it('every line of the export is one valid FHIR R4 resource, the same as the mapping states', async () => {
    const { resources } = await exportNdjson(`from=${from}&to=${to}`);
    expect(resources).toHaveLength(NASTY.length + 1);
    const invalid = resources.map((r) => ({ id: r.id, problems: fhirProblems(r) })).filter((x) => x.problems.length > 0);
    expect(invalid).toEqual([]);
    const both = await bothWays(sql`at >= ${from}::timestamptz and at <= ${to}::timestamptz`);
    expect(both.map((x) => x.written)).toEqual(both.map((x) => x.reference));
    if (process.env.DATABASE_URL) expect(both.map((x) => x.rendered)).toEqual(both.map((x) => x.reference));
    expect(resources).toEqual(both.map((x) => JSON.parse(x.reference) as AuditEvent));
  });

  it('keeps the text, with only the whitespace FHIR refuses turned into spaces', async () => {
    const { resources } = await exportNdjson(`from=${from}&to=${to}`);
    const oldestFirst = resources.slice(1).reverse();
    // Control characters (but tab, CR, LF) become U+FFFD, whitespace R4 refuses a space; the rest is kept.
    // eslint-disable-next-line no-control-regex -- the control characters the text holds
    const fhirText = (s: string) => s.replace(/[\u0001\u0007\u001b\u001f\u000b\u000c]/g, '\uFFFD').replace(/[\u00a0\u2028\u2029\u3000]/g, ' ');
    for (const [i, r] of oldestFirst.entries()) {
      const text = fhirText(NASTY[i]!);
      expect(r.entity!.find((e) => e.role?.code === '1')!.what!.identifier!.value).toBe(text);
      expect(r.outcomeDesc).toBe(text);
      expect(r.entity![0]!.what!.identifier!.value).toBe(`urn:uuid:${text}`);
      const detail = Object.fromEntries(r.entity![0]!.detail!.map((d) => [d.type, d.valueString]));
      expect(detail.note).toBe(text);
      expect(detail[text]).toBe(String(i));
      // Objects are JSON text, every character kept (escaped where R4 would refuse it raw).
      expect(JSON.parse(detail.nested!)).toEqual({ text: NASTY[i], list: [NASTY[i], i] });
      if (i % 2 === 0) {
        expect(r.agent[0]!.name).toBe(fhirText(NASTY.join(' | ')));
        expect(r.agent[0]!.purposeOfUse ?? []).toEqual(i === 0 ? [{ coding: [BTG], text }] : []);
      } else {
        expect(r.agent[0]!.altId).toBe(text);
      }
    }
    const [exported] = resources;
    const query = exported!.entity!.find((e) => e.role?.code === '24')!;
    expect(JSON.parse(Buffer.from(query.query!, 'base64').toString())).toEqual({ action: NASTY[5] });
  });
});
