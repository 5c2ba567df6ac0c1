// Token requests: created by staff, decided once by another admin. Racing approvals give one decision
// and one batch of tokens; self-approval, bad reasons, re-decisions and expired requests are refused.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../api/domain/sweep';
import { countRows, dbRows, expectError, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin1: TestUser;
let admin2: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin1 = await quickUser(h, 'admin');
  admin2 = await quickUser(h, 'super_admin');
});
afterAll(() => h?.close());

async function request(user: TestUser, quantity = 3, reason = 'stock is low') {
  const res = await h.http('POST', '/api/v1/token-requests', { cookie: user.cookie, body: { quantity, reason } });
  expect(res.status).toBe(201);
  return res.body.request as { id: string; userId: string; quantity: number; status: string };
}
const approve = (admin: TestUser, id: string, body: unknown = { note: 'ok' }) =>
  h.http('POST', `/api/v1/token-requests/${id}/approve`, { cookie: admin.cookie, body });
const reject = (admin: TestUser, id: string, body: unknown) => h.http('POST', `/api/v1/token-requests/${id}/reject`, { cookie: admin.cookie, body });
const state = async (id: string) =>
  (
    await dbRows<{ status: string; decided_by: string | null; decision_note: string | null }>(
      h,
      sql`select status::text, decided_by, decision_note from token_requests where id = ${id}`,
    )
  )[0]!;
const issuedFor = (id: string) => countRows(h, 'tokens', sql`request_id = ${id}`);

describe('creating a request', () => {
  it('a signed-in user creates a pending request, audited', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse, 4, 'night shift');
    expect(r).toMatchObject({ userId: nurse.id, quantity: 4, status: 'pending' });
    expect(await countRows(h, 'audit_events', sql`action = 'request.created' and request_id = ${r.id}`)).toBe(1);
  });
});

describe('approving', () => {
  it('issues exactly `quantity` tokens to the requester in the same transaction', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse, 3);
    const res = await approve(admin1, r.id);
    expect(res.status).toBe(200);
    expect(res.body.issued).toBe(3);
    expect(res.body.request).toMatchObject({ id: r.id, status: 'approved', decidedBy: admin1.id, decisionNote: 'ok' });
    expect(await countRows(h, 'tokens', sql`request_id = ${r.id} and user_id = ${nurse.id} and status = 'available'`)).toBe(3);
    expect((await h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie })).body.available).toBe(3);
    // The approval response carries no plaintext; the holder gets it by the one-time reveal.
    const revealed = await h.http('POST', '/api/v1/tokens/reveal', { cookie: nurse.cookie });
    expect(revealed.body.tokens).toHaveLength(3);
    for (const t of revealed.body.tokens) expect(res.text).not.toContain(`"${t.token}"`);
  });

  it('approving without a body works (the note is optional)', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse, 1);
    const res = await h.http('POST', `/api/v1/token-requests/${r.id}/approve`, { cookie: admin1.cookie });
    expect(res.status, res.text).toBe(200);
    expect(res.body.issued).toBe(1);
  });

  it('two admins approving at once: one 200, one 409 already_decided, one batch of tokens', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse, 5);
    const replies = await Promise.all([approve(admin1, r.id), approve(admin2, r.id)]);
    const statuses = replies.map((x) => x.status).sort();
    expect(statuses).toEqual([200, 409]);
    const loser = replies.find((x) => x.status === 409)!;
    expectError(loser, 409, 'already_decided');
    const winner = replies.find((x) => x.status === 200)!;
    expect(await issuedFor(r.id)).toBe(5);
    expect((await state(r.id)).decided_by).toBe(winner.body.request.decidedBy);
    expect(await countRows(h, 'audit_events', sql`action = 'request.approved' and outcome = 'success' and request_id = ${r.id}`)).toBe(1);
  });

  it('many approvals and rejections racing on one request: exactly one decision', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse, 2);
    const admins = await Promise.all(Array.from({ length: 6 }, () => quickUser(h, 'admin')));
    const replies = await Promise.all(admins.map((a, i) => (i % 2 ? reject(a, r.id, { reason: 'racing reject' }) : approve(a, r.id))));
    expect(replies.filter((x) => x.status === 200)).toHaveLength(1);
    for (const x of replies.filter((x) => x.status !== 200)) expectError(x, 409, 'already_decided');
    const final = await state(r.id);
    expect(await issuedFor(r.id)).toBe(final.status === 'approved' ? 2 : 0);
  });

  it('self-approval is refused (403 self_approval) and changes nothing', async () => {
    const r = await request(admin1, 2);
    expectError(await approve(admin1, r.id), 403, 'self_approval');
    expectError(await reject(admin1, r.id, { reason: 'my own' }), 403, 'self_approval');
    expect(await state(r.id)).toMatchObject({ status: 'pending', decided_by: null });
    expect(await issuedFor(r.id)).toBe(0);
    // Another admin may.
    expect((await approve(admin2, r.id)).status).toBe(200);
  });

  it('an unknown request is 404', async () => {
    expectError(await approve(admin1, '00000000-0000-4000-8000-000000000000'), 404, 'not_found');
  });
});

describe('rejecting', () => {
  it('needs a reason of 3..500 characters', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse);
    for (const body of [{}, { reason: 'no' }, { reason: '   ab   ' }, { reason: 'x'.repeat(501) }, { reason: 42 }]) {
      expectError(await reject(admin1, r.id, body), 400, 'invalid_input');
    }
    expect((await state(r.id)).status).toBe('pending');
    const ok = await reject(admin1, r.id, { reason: 'yes' });
    expect(ok.status).toBe(200);
    expect(ok.body.request).toMatchObject({ status: 'rejected', decisionNote: 'yes', decidedBy: admin1.id });
    expect(await issuedFor(r.id)).toBe(0);
  });

  it('a 500-character reason is accepted', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse);
    expect((await reject(admin1, r.id, { reason: 'r'.repeat(500) })).status).toBe(200);
  });
});

describe('decided once', () => {
  it('an approved request cannot be approved or rejected again (409), and nothing changes', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse, 2);
    expect((await approve(admin1, r.id)).status).toBe(200);
    const again = await approve(admin2, r.id);
    expectError(again, 409, 'already_decided');
    expect(again.body.error.details.status).toBe('approved');
    expectError(await reject(admin2, r.id, { reason: 'too late' }), 409, 'already_decided');
    expect(await state(r.id)).toMatchObject({ status: 'approved', decided_by: admin1.id });
    expect(await issuedFor(r.id)).toBe(2);
  });

  it('a rejected request cannot be approved (409) and issues nothing', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse, 2);
    expect((await reject(admin1, r.id, { reason: 'enough stock' })).status).toBe(200);
    expectError(await approve(admin2, r.id), 409, 'already_decided');
    expect(await state(r.id)).toMatchObject({ status: 'rejected', decision_note: 'enough stock' });
    expect(await issuedFor(r.id)).toBe(0);
  });
});

describe('expired requests', () => {
  it('a request past its TTL cannot be decided, before or after the sweep; the list shows it as expired', async () => {
    const nurse = await quickUser(h);
    const r = await request(nurse, 2);
    await dbRows(h, sql`update token_requests set expires_at = now() - interval '1 minute' where id = ${r.id}`);

    const early = await approve(admin1, r.id);
    expectError(early, 409, 'already_decided');
    expect(early.body.error.details.status).toBe('expired');
    expectError(await reject(admin1, r.id, { reason: 'too late' }), 409, 'already_decided');
    expect(await issuedFor(r.id)).toBe(0);

    const listed = await h.http('GET', `/api/v1/token-requests?status=expired&userId=${nurse.id}`, { cookie: admin1.cookie });
    expect(listed.body.items.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([[r.id, 'expired']]);
    // Every other view of it says so too, before the sweep: the unfiltered list, the requester's own list
    // and profile.
    const all = await h.http('GET', `/api/v1/token-requests?userId=${nurse.id}`, { cookie: admin1.cookie });
    expect(all.body.items.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([[r.id, 'expired']]);
    const own = await h.http('GET', '/api/v1/token-requests', { cookie: nurse.cookie });
    expect(own.body.items.map((i: { status: string }) => i.status)).toEqual(['expired']);
    const profile = await h.http('GET', `/api/v1/users/${nurse.id}/profile`, { cookie: nurse.cookie });
    expect(profile.body.requests.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([[r.id, 'expired']]);
    const pending = await h.http('GET', `/api/v1/token-requests?status=pending&userId=${nurse.id}`, { cookie: admin1.cookie });
    expect(pending.body.items).toEqual([]);

    await sweepExpired(h.runtime.ctx);
    expect((await state(r.id)).status).toBe('expired');
    expect(await countRows(h, 'audit_events', sql`action = 'request.expired' and request_id = ${r.id}`)).toBe(1);
    expectError(await approve(admin1, r.id), 409, 'already_decided');
    expect(await issuedFor(r.id)).toBe(0);
  });
});
