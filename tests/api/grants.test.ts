// Emergency access sessions (grants): records only inside an active grant, ending a session, expiry,
// and the after-the-fact review (once, never by the holder).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
});
afterAll(() => h?.close());

async function openGrant(user: TestUser, patientRef?: string) {
  const [t] = await generate(h, admin, { count: 1, userId: user.id });
  const res = await h.http('POST', '/api/v1/tokens/validate', {
    cookie: user.cookie,
    body: { token: t!.token, reason: 'unconscious patient', ...(patientRef && { patientRef }) },
  });
  expect(res.status).toBe(200);
  return res.body.grant as { id: string; tokenId: string; expiresAt: string; createdAt: string; userId: string };
}
const writeRecord = (user: TestUser, body: Record<string, unknown> = { complaint: 'chest pain', triageLevel: 2 }) =>
  h.http('POST', '/api/v1/emergency-records', { cookie: user.cookie, body });

describe('emergency records need an active grant', () => {
  it('without a grant: 403 grant_required, nothing written', async () => {
    const nurse = await quickUser(h);
    expect((await h.http('GET', '/api/v1/emergency-session', { cookie: nurse.cookie })).body).toEqual({ grant: null });
    expectError(await writeRecord(nurse), 403, 'grant_required');
    expect(await countRows(h, 'emergency_records', sql`user_id = ${nurse.id}`)).toBe(0);
  });

  it('with a grant: 201, bound to the grant, audited; the grant lasts GRANT_MINUTES', async () => {
    const nurse = await quickUser(h);
    const grant = await openGrant(nurse, 'MRN-42');
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.createdAt)).toBe(h.config.grantMinutes * 60_000);
    const session = await h.http('GET', '/api/v1/emergency-session', { cookie: nurse.cookie });
    expect(session.body.grant).toMatchObject({ id: grant.id, userId: nurse.id, clearedAt: null });
    const me = await h.http('GET', '/api/v1/me', { cookie: nurse.cookie });
    expect(me.body.grant.id).toBe(grant.id);

    const res = await writeRecord(nurse, { complaint: 'chest pain', triageLevel: 1, patientName: 'Jane Roe', notes: 'ECG done' });
    expect(res.status).toBe(201);
    expect(res.body.record).toMatchObject({ grantId: grant.id, userId: nurse.id, patientRef: 'MRN-42', triageLevel: 1, complaint: 'chest pain' });
    expect(await countRows(h, 'audit_events', sql`action = 'record.created' and grant_id = ${grant.id}`)).toBe(1);
    const listed = await h.http('GET', '/api/v1/emergency-records', { cookie: nurse.cookie });
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([res.body.record.id]);
  });

  it('after POST /emergency-session/clear: 204, the session is gone and records are refused', async () => {
    const nurse = await quickUser(h);
    const grant = await openGrant(nurse);
    expect((await writeRecord(nurse)).status).toBe(201);
    const cleared = await h.http('POST', '/api/v1/emergency-session/clear', { cookie: nurse.cookie });
    expect(cleared.status).toBe(204);
    expect((await h.http('GET', '/api/v1/emergency-session', { cookie: nurse.cookie })).body.grant).toBeNull();
    expectError(await writeRecord(nurse), 403, 'grant_required');
    expect(await countRows(h, 'emergency_records', sql`user_id = ${nurse.id}`)).toBe(1);
    expect(await countRows(h, 'audit_events', sql`action = 'grant.cleared' and grant_id = ${grant.id}`)).toBe(1);
    // Clearing again is harmless and audits nothing more.
    expect((await h.http('POST', '/api/v1/emergency-session/clear', { cookie: nurse.cookie })).status).toBe(204);
    expect(await countRows(h, 'audit_events', sql`action = 'grant.cleared' and grant_id = ${grant.id}`)).toBe(1);
  });

  it('an expired grant no longer allows records', async () => {
    const nurse = await quickUser(h);
    const grant = await openGrant(nurse);
    await dbRows(h, sql`update grants set expires_at = now() - interval '1 second' where id = ${grant.id}`);
    expect((await h.http('GET', '/api/v1/emergency-session', { cookie: nurse.cookie })).body.grant).toBeNull();
    expectError(await writeRecord(nurse), 403, 'grant_required');
  });

  it("one user's grant does not let a colleague write", async () => {
    const a = await quickUser(h);
    const b = await quickUser(h);
    await openGrant(a);
    expectError(await writeRecord(b), 403, 'grant_required');
  });

  it('a new grant ends the previous one: one active session at a time', async () => {
    const nurse = await quickUser(h);
    const first = await openGrant(nurse);
    const second = await openGrant(nurse);
    const rows = await dbRows<{ id: string; cleared: boolean }>(h, sql`select id, cleared_at is not null as cleared from grants where user_id = ${nurse.id}`);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.cleared]))).toEqual({ [first.id]: true, [second.id]: false });
    const rec = await writeRecord(nurse);
    expect(rec.body.record.grantId).toBe(second.id);
  });
});

describe('grant review', () => {
  it('an admin reviews a grant once; a second review is 409 already_reviewed and changes nothing', async () => {
    const nurse = await quickUser(h);
    const other = await quickUser(h, 'admin');
    const grant = await openGrant(nurse);
    const res = await h.http('POST', `/api/v1/grants/${grant.id}/review`, { cookie: admin.cookie, body: { verdict: 'flagged', note: 'no patient record' } });
    expect(res.status).toBe(200);
    expect(res.body.grant.review).toMatchObject({ verdict: 'flagged', reviewedBy: admin.id, note: 'no patient record' });

    const again = await h.http('POST', `/api/v1/grants/${grant.id}/review`, { cookie: other.cookie, body: { verdict: 'justified' } });
    expectError(again, 409, 'already_reviewed');
    const [row] = await dbRows<{ verdict: string; reviewed_by: string }>(
      h,
      sql`select verdict::text, reviewed_by from grant_reviews where grant_id = ${grant.id}`,
    );
    expect(row).toEqual({ verdict: 'flagged', reviewed_by: admin.id });
    expect(await countRows(h, 'audit_events', sql`action = 'grant.reviewed' and grant_id = ${grant.id}`)).toBe(1);
  });

  it('two admins reviewing at once: one 200, one 409', async () => {
    const nurse = await quickUser(h);
    const other = await quickUser(h, 'admin');
    const grant = await openGrant(nurse);
    const replies = await Promise.all([
      h.http('POST', `/api/v1/grants/${grant.id}/review`, { cookie: admin.cookie, body: { verdict: 'justified' } }),
      h.http('POST', `/api/v1/grants/${grant.id}/review`, { cookie: other.cookie, body: { verdict: 'flagged' } }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    expectError(
      replies.find((r) => r.status === 409)!,
      409,
      'already_reviewed',
    );
    expect(await countRows(h, 'grant_reviews', sql`grant_id = ${grant.id}`)).toBe(1);
    expect(await countRows(h, 'audit_events', sql`action = 'grant.reviewed' and grant_id = ${grant.id}`)).toBe(1);
  });

  it("the grant's holder may not review it, even as an admin (403)", async () => {
    const holder = await quickUser(h, 'admin');
    const grant = await openGrant(holder);
    const res = await h.http('POST', `/api/v1/grants/${grant.id}/review`, { cookie: holder.cookie, body: { verdict: 'justified' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toMatch(/^(self_review|forbidden)$/);
    expect(await countRows(h, 'grant_reviews', sql`grant_id = ${grant.id}`)).toBe(0);
  });

  it('staff may not review (403); an unknown grant is 404', async () => {
    const nurse = await quickUser(h);
    const other = await quickUser(h);
    const grant = await openGrant(other);
    expectError(await h.http('POST', `/api/v1/grants/${grant.id}/review`, { cookie: nurse.cookie, body: { verdict: 'justified' } }), 403, 'forbidden');
    expectError(
      await h.http('POST', '/api/v1/grants/00000000-0000-4000-8000-000000000000/review', { cookie: admin.cookie, body: { verdict: 'justified' } }),
      404,
      'not_found',
    );
  });

  it('GET /grants?reviewed= separates reviewed from unreviewed; monitoring counts the unreviewed', async () => {
    const nurse = await quickUser(h);
    const g1 = await openGrant(nurse);
    const g2 = await openGrant(nurse);
    expect((await h.http('POST', `/api/v1/grants/${g1.id}/review`, { cookie: admin.cookie, body: { verdict: 'justified' } })).status).toBe(200);
    const reviewed = await h.http('GET', `/api/v1/grants?userId=${nurse.id}&reviewed=true`, { cookie: admin.cookie });
    expect(reviewed.body.items.map((g: { id: string }) => g.id)).toEqual([g1.id]);
    expect(reviewed.body.items[0].review.verdict).toBe('justified');
    const unreviewed = await h.http('GET', `/api/v1/grants?userId=${nurse.id}&reviewed=false`, { cookie: admin.cookie });
    expect(unreviewed.body.items.map((g: { id: string }) => g.id)).toEqual([g2.id]);
    expect(unreviewed.body.items[0].review).toBeNull();

    const monitoring = await h.http('GET', '/api/v1/monitoring', { cookie: admin.cookie });
    expect(monitoring.body.unreviewedGrants).toBe(await countRows(h, 'grants', sql`id not in (select grant_id from grant_reviews)`));
  });
});
