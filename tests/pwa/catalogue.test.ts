// Admins read the audit trail in words: every action the API records, every detail key it writes and the
// coded values among them (outcome codes, scopes, methods) must have a name in the catalogue, in English and
// in Bahasa Indonesia. The events are the real ones: the flows below run through the real API, and what
// they wrote to the audit trail is checked against the catalogue, so a new key in the domain without a
// name here fails.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditActions } from '../../api/domain/audit';
import { sweepExpired } from '../../api/domain/sweep';
import { adminEn, adminId } from '../../pwa/src/screens/admin/messages';
import { dbRows, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let events: Array<{ action: string; details: Record<string, unknown> }>;
const has = (key: string) => key in adminEn && key in adminId && (adminId as Record<string, string>)[key]!.trim() !== '';

beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'super_admin');
  const call = (u: TestUser | null, method: string, path: string, body?: unknown) => h.http(method, `/api/v1${path}`, { cookie: u?.cookie, body });
  const nurse = await h.user('staff');
  const other = await quickUser(h);

  // Sign-in: a wrong password, a lockout by username, a success, sign-outs.
  for (let i = 0; i < 5; i++) await call(null, 'POST', '/auth/login', { username: nurse.username, password: 'wrong-password' });
  await call(null, 'POST', '/auth/login', { username: other.username, password: 'nope-nope-nope' });
  await call(await quickUser(h), 'POST', '/auth/logout');
  await call(await quickUser(h), 'POST', '/auth/logout-everywhere');

  // Tokens: generated, validated (wrong, locked out, right), revoked; a grant, a record, a review.
  const mine = await generate(h, admin, { count: 3, userId: other.id });
  await call(admin, 'POST', '/tokens/generate', { count: 1, notes: 'night shift', expiresInDays: 5 });
  const locked = await quickUser(h);
  for (let i = 0; i < 6; i++) await call(locked, 'POST', '/tokens/validate', { token: '000000', reason: 'wrong on purpose' });
  const used = await call(other, 'POST', '/tokens/validate', { token: mine[0]!.token, reason: 'cardiac arrest', patientRef: 'MRN-1' });
  await call(other, 'POST', '/tokens/validate', { token: mine[0]!.token, reason: 'again' });
  const record = await call(other, 'POST', '/emergency-records', { complaint: 'chest pain', triageLevel: 2 });
  // Reads: a page of records, one record (and someone else's, refused), a profile an admin looks at.
  await call(other, 'GET', '/emergency-records');
  await call(other, 'GET', `/emergency-records/${record.body.record.id}`);
  await call(nurse, 'GET', `/emergency-records/${record.body.record.id}`);
  await call(admin, 'GET', `/emergency-records/${record.body.record.id}`);
  await call(admin, 'GET', `/users/${other.id}/profile`);
  await call(other, 'POST', '/emergency-session/clear');
  await call(other, 'POST', `/grants/${used.body.grant.id}/review`, { verdict: 'justified' });
  await call(admin, 'POST', `/grants/${used.body.grant.id}/review`, { verdict: 'flagged', note: 'ask why' });
  await call(admin, 'DELETE', `/tokens/${mine[1]!.id}`);

  // Requests: created, approved with a note, rejected, and one's own refused.
  const r1 = await call(other, 'POST', '/token-requests', { quantity: 2, reason: 'low' });
  const r2 = await call(other, 'POST', '/token-requests', { quantity: 3 });
  const r3 = await call(admin, 'POST', '/token-requests', { quantity: 1 });
  await call(admin, 'POST', `/token-requests/${r1.body.request.id}/approve`, { note: 'ok' });
  await call(admin, 'POST', `/token-requests/${r2.body.request.id}/reject`, { reason: 'not now' });
  await call(admin, 'POST', `/token-requests/${r3.body.request.id}/approve`, {});

  // Users, settings, an export, and the sweep's expiries.
  const created = await call(admin, 'POST', '/users', { username: 'cat-user', name: 'Cat User', role: 'staff', slackUserId: 'U0CAT' });
  await call(admin, 'PATCH', `/users/${created.body.user.id}`, { role: 'admin' });
  await call(admin, 'PATCH', `/users/${created.body.user.id}`, { active: false, name: 'Cat U.' });
  await call(admin, 'PATCH', '/settings', { escalationText: 'Call 1234', idleLockMinutes: 4 });
  await call(admin, 'GET', '/audit/export.csv?action=token.validated&outcome=failure&from=2026-01-01');
  await call(admin, 'GET', '/audit/verify?from=2020-01-01');
  await call(admin, 'GET', '/audit/export.ndjson?action=lockout');
  await h.runtime.ctx.db.execute(sql`update tokens set expires_at = now() - interval '1 second' where id = ${mine[2]!.id}`);
  await h.runtime.ctx.db.execute(sql`update token_requests set expires_at = now() - interval '1 second' where status = 'pending'`);
  await sweepExpired(h.runtime.ctx);

  events = await dbRows<{ action: string; details: Record<string, unknown> }>(h, sql`select action, details from audit_events`);
});
afterAll(() => h?.close());

/** Every detail key, nested ones included (the export's filter, the settings' previous values). */
function keysOf(details: Record<string, unknown>, out = new Set<string>()): Set<string> {
  for (const [k, v] of Object.entries(details)) {
    out.add(k);
    if (v && typeof v === 'object' && !Array.isArray(v)) keysOf(v as Record<string, unknown>, out);
  }
  return out;
}

describe('the audit trail in words', () => {
  it('the flows above wrote most kinds of event (so this test sees what it checks)', () => {
    const seen = new Set(events.map((e) => e.action));
    expect(seen.size).toBeGreaterThanOrEqual(17);
  });

  it('every action the API can record has a name in both languages', () => {
    const missing = auditActions.filter((a) => !has(`action.${a}`));
    expect(missing).toEqual([]);
  });

  it('every detail key written has a label in both languages', () => {
    const keys = new Set<string>();
    for (const e of events) keysOf(e.details, keys);
    expect(keys.size).toBeGreaterThan(20);
    expect([...keys].filter((k) => !has(`detail.${k}`)).sort()).toEqual([]);
  });

  it('every coded value written (outcome codes, scopes, methods) has words in both languages', () => {
    const coded = new Set<string>();
    for (const e of events)
      for (const k of ['code', 'scope', 'method', 'basis', 'format'] as const) if (typeof e.details[k] === 'string') coded.add(`value.${k}.${e.details[k]}`);
    expect(coded.size).toBeGreaterThanOrEqual(6);
    expect([...coded].filter((k) => !has(k)).sort()).toEqual([]);
  });
});
