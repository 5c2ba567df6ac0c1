// Reads are audited: a page of emergency records, one record, an admin's look at someone's profile and
// every export each leave an event saying who read what, on what basis and under which grant, written in
// the read's own transaction (a read whose audit event cannot be written is not served).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
let other: TestUser;
let grantId: string;
let tokenId: string;
let recordId: string;

interface Row {
  action: string;
  outcome: string;
  actor_id: string | null;
  subject_user_id: string | null;
  grant_id: string | null;
  token_id: string | null;
  details: Record<string, any>;
}

/** The events written since `mark` (an audit id), oldest first. */
const since = (mark: bigint) =>
  dbRows<Row>(h, sql`select action, outcome, actor_id, subject_user_id, grant_id, token_id, details from audit_events where id > ${mark} order by id`);
const mark = async () => BigInt((await dbRows<{ m: string }>(h, sql`select coalesce(max(id), 0)::text as m from audit_events`))[0]!.m);

beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
  nurse = await quickUser(h);
  other = await quickUser(h);
  const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
  const v = await h.http('POST', '/api/v1/tokens/validate', {
    cookie: nurse.cookie,
    body: { token: t!.token, reason: 'cardiac arrest, bed 4', patientRef: 'MRN-77' },
  });
  expect(v.status).toBe(200);
  grantId = v.body.grant.id;
  tokenId = v.body.grant.tokenId;
  const r = await h.http('POST', '/api/v1/emergency-records', { cookie: nurse.cookie, body: { complaint: 'chest pain', triageLevel: 1 } });
  expect(r.status).toBe(201);
  recordId = r.body.record.id;
});
afterAll(() => h?.close());

describe('listing emergency records', () => {
  it('a nurse under a grant: who, which records, on what basis, under which grant', async () => {
    const m = await mark();
    const res = await h.http('GET', '/api/v1/emergency-records', { cookie: nurse.cookie });
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: { id: string }) => r.id)).toEqual([recordId]);
    const [e, ...rest] = await since(m);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ action: 'record.listed', outcome: 'success', actor_id: nurse.id, grant_id: grantId, token_id: tokenId });
    expect(e!.details).toEqual({ basis: 'own', shown: 1, recordIds: [recordId] });
  });

  it('an admin without a grant: basis admin, no grant; every page is its own event', async () => {
    // A second record by someone else, so the admin's pages differ from the nurse's.
    const [t] = await generate(h, admin, { count: 1, userId: other.id });
    await h.http('POST', '/api/v1/tokens/validate', { cookie: other.cookie, body: { token: t!.token, reason: 'sepsis' } });
    const second = await h.http('POST', '/api/v1/emergency-records', { cookie: other.cookie, body: { complaint: 'fever', triageLevel: 3 } });
    const m = await mark();
    const first = await h.http('GET', '/api/v1/emergency-records?limit=1', { cookie: admin.cookie });
    const next = await h.http('GET', `/api/v1/emergency-records?limit=1&cursor=${first.body.nextCursor}`, { cookie: admin.cookie });
    expect([...first.body.items, ...next.body.items].map((r: { id: string }) => r.id)).toEqual([second.body.record.id, recordId]);
    const events = await since(m);
    expect(events.map((e) => [e.action, e.actor_id, e.grant_id, e.details])).toEqual([
      ['record.listed', admin.id, null, { basis: 'admin', shown: 1, recordIds: [second.body.record.id] }],
      ['record.listed', admin.id, null, { basis: 'admin', shown: 1, recordIds: [recordId] }],
    ]);
  });

  it('an empty page is still a read, and is recorded', async () => {
    const m = await mark();
    const stranger = await quickUser(h);
    expect((await h.http('GET', '/api/v1/emergency-records', { cookie: stranger.cookie })).body.items).toEqual([]);
    const events = (await since(m)).filter((e) => e.action === 'record.listed');
    expect(events).toEqual([expect.objectContaining({ actor_id: stranger.id, grant_id: null, details: { basis: 'own', shown: 0, recordIds: [] } })]);
  });

  it('a page whose audit event cannot be written is not served', async () => {
    // The database refuses this one audit event; the page must fail with it, not go out unrecorded.
    await dbRows(h, sql`create function refuse_listed() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`);
    await dbRows(
      h,
      sql`create trigger refuse_listed before insert on audit_events for each row when (new.action = 'record.listed') execute function refuse_listed()`,
    );
    try {
      const res = await h.http('GET', '/api/v1/emergency-records', { cookie: nurse.cookie });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.text).not.toContain(recordId);
    } finally {
      await dbRows(h, sql`drop trigger refuse_listed on audit_events`);
      await dbRows(h, sql`drop function refuse_listed()`);
    }
  });
});

describe('opening one record (GET /emergency-records/:id)', () => {
  it('its author, under a grant: the record, and an event naming it, the grant and the patient', async () => {
    const m = await mark();
    const res = await h.http('GET', `/api/v1/emergency-records/${recordId}`, { cookie: nurse.cookie });
    expect(res.status).toBe(200);
    expect(res.body.record).toMatchObject({ id: recordId, userId: nurse.id, grantId, complaint: 'chest pain', patientRef: 'MRN-77' });
    expect(await since(m)).toEqual([
      {
        action: 'record.viewed',
        outcome: 'success',
        actor_id: nurse.id,
        subject_user_id: nurse.id,
        grant_id: grantId,
        token_id: tokenId,
        details: { recordId, basis: 'own', patientRef: 'MRN-77' },
      },
    ]);
  });

  it("someone else's record is refused to staff, and the attempt is recorded", async () => {
    const m = await mark();
    expectError(await h.http('GET', `/api/v1/emergency-records/${recordId}`, { cookie: other.cookie }), 403, 'forbidden');
    const [e, ...rest] = await since(m);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      action: 'record.viewed',
      outcome: 'failure',
      actor_id: other.id,
      subject_user_id: nurse.id,
      details: { recordId, code: 'forbidden' },
    });
    // The other nurse holds a grant of their own (opened above): a refused read under it says so.
    expect(e!.grant_id).not.toBeNull();
  });

  it('a record that does not exist: 404, nothing recorded', async () => {
    const m = await mark();
    expectError(await h.http('GET', '/api/v1/emergency-records/00000000-0000-4000-8000-000000000000', { cookie: admin.cookie }), 404, 'not_found');
    expectError(await h.http('GET', '/api/v1/emergency-records/not-a-uuid', { cookie: admin.cookie }), 400, 'invalid_input');
    expect(await since(m)).toEqual([]);
  });

  it('an admin: basis admin; after the nurse ends the session their reads carry no grant', async () => {
    await h.http('POST', '/api/v1/emergency-session/clear', { cookie: nurse.cookie });
    const m = await mark();
    expect((await h.http('GET', `/api/v1/emergency-records/${recordId}`, { cookie: admin.cookie })).status).toBe(200);
    expect((await h.http('GET', `/api/v1/emergency-records/${recordId}`, { cookie: nurse.cookie })).status).toBe(200);
    const events = await since(m);
    expect(events.map((e) => [e.actor_id, e.grant_id, e.details.basis])).toEqual([
      [admin.id, null, 'admin'],
      [nurse.id, null, 'own'],
    ]);
  });
});

describe('profiles and exports', () => {
  it("an admin viewing someone's profile is recorded; anyone viewing their own is not", async () => {
    const m = await mark();
    expect((await h.http('GET', `/api/v1/users/${nurse.id}/profile`, { cookie: admin.cookie })).status).toBe(200);
    expect((await h.http('GET', `/api/v1/users/${nurse.id}/profile`, { cookie: nurse.cookie })).status).toBe(200);
    expect((await h.http('GET', `/api/v1/users/${admin.id}/profile`, { cookie: admin.cookie })).status).toBe(200);
    expectError(await h.http('GET', `/api/v1/users/${admin.id}/profile`, { cookie: nurse.cookie }), 403, 'forbidden');
    expect(await since(m)).toEqual([
      { action: 'user.viewed', outcome: 'success', actor_id: admin.id, subject_user_id: nurse.id, grant_id: null, token_id: null, details: { basis: 'admin' } },
    ]);
  });

  it('the CSV export records its format and filter', async () => {
    const m = await mark();
    const res = await h.http('GET', '/api/v1/audit/export.csv?action=record.viewed', { cookie: admin.cookie });
    expect(res.status).toBe(200);
    const events = await since(m);
    expect(events).toEqual([
      expect.objectContaining({ action: 'audit.exported', actor_id: admin.id, details: { format: 'csv', filter: { action: 'record.viewed' } } }),
    ]);
    // The export's rows are exactly the record openings so far.
    expect(res.text.trim().split('\r\n')).toHaveLength(1 + (await countRows(h, 'audit_events', sql`action = 'record.viewed'`)));
  });
});
