// What the PWA needs at its hardest moments, on the API side: the lockout as state on GET /me (so a reload
// shows it), the ward's settings (escalation text, idle lock) with audited admin changes, and "sign out
// everywhere" for shared phones.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInCode } from '../../api/domain/auth';
import { countRows, dbRows, expectError, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
});
afterAll(() => h?.close());

const me = (u: TestUser | { cookie: string }) => h.http('GET', '/api/v1/me', { cookie: u.cookie });
const patchSettings = (u: TestUser, body: unknown) => h.http('PATCH', '/api/v1/settings', { cookie: u.cookie, body });

describe('GET /me tells whether validation is locked', () => {
  it('null before, and from the failure that locks: lockedUntil and seconds left (so a reload shows the lock)', async () => {
    const nurse = await quickUser(h);
    expect((await me(nurse)).body.validationLock).toBeNull();
    let last;
    for (let i = 0; i < 5; i++)
      last = await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: '000000', reason: 'wrong on purpose' } });
    // The 5th failure is still a 422, but it already says the lock began.
    expectError(last!, 422, 'token_invalid');
    expect(last!.body.error.details).toMatchObject({ attemptsLeft: 0 });
    expect(Date.parse(last!.body.error.details.lockedUntil)).toBeGreaterThan(Date.now());

    const after = await me(nurse);
    expect(after.status).toBe(200);
    const lock = after.body.validationLock;
    expect(lock.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(lock.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    expect(Math.abs(Date.parse(lock.lockedUntil) - Date.parse(last!.body.error.details.lockedUntil))).toBeLessThan(5_000);
    // Someone else is not affected.
    expect((await me(await quickUser(h))).body.validationLock).toBeNull();
  });

  it('ends when the lock ends', async () => {
    const nurse = await quickUser(h);
    await h.runtime.ctx.db.execute(
      sql`insert into attempt_counters (key, failed_at, locked_until) values (${`validate:${nurse.id}`}, '{}', now() - interval '1 second')`,
    );
    expect((await me(nurse)).body.validationLock).toBeNull();
  });
});

describe('ward settings', () => {
  it('have defaults (before any change: this runs first), which every signed-in user sees on /me', async () => {
    const res = await h.http('GET', '/api/v1/settings', { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expect(res.body.settings).toEqual({ escalationText: null, idleLockMinutes: 5 });
    expect((await me(await quickUser(h))).body.ward).toEqual({ escalationText: null, idleLockMinutes: 5 });
  });

  it('an admin sets the escalation text and idle lock; staff see them on /me; the change is audited with what it replaced', async () => {
    const before = (await h.http('GET', '/api/v1/settings', { cookie: admin.cookie })).body.settings;
    const res = await patchSettings(admin, { escalationText: '  Call the charge nurse on 1234.  ', idleLockMinutes: 3 });
    expect(res.status).toBe(200);
    expect(res.body.settings).toEqual({ escalationText: 'Call the charge nurse on 1234.', idleLockMinutes: 3 });
    const nurse = await quickUser(h);
    expect((await me(nurse)).body.ward).toEqual({ escalationText: 'Call the charge nurse on 1234.', idleLockMinutes: 3 });

    const [event] = await dbRows<{ actor_id: string; details: Record<string, unknown> }>(
      h,
      sql`select actor_id, details from audit_events where action = 'settings.updated' order by id desc limit 1`,
    );
    expect(event!.actor_id).toBe(admin.id);
    expect(event!.details).toMatchObject({
      changed: ['escalationText', 'idleLockMinutes'],
      escalationText: 'Call the charge nurse on 1234.',
      idleLockMinutes: 3,
    });
    expect(event!.details.previous).toEqual({ escalationText: before.escalationText, idleLockMinutes: before.idleLockMinutes });
  });

  it('an unchanged value writes nothing; an empty text removes it', async () => {
    await patchSettings(admin, { escalationText: 'Page the ward manager.' });
    const n = await countRows(h, 'audit_events', sql`action = 'settings.updated'`);
    expect((await patchSettings(admin, { escalationText: 'Page the ward manager.' })).status).toBe(200);
    expect(await countRows(h, 'audit_events', sql`action = 'settings.updated'`)).toBe(n);
    const cleared = await patchSettings(admin, { escalationText: '   ' });
    expect(cleared.body.settings.escalationText).toBeNull();
    expect(await countRows(h, 'audit_events', sql`action = 'settings.updated'`)).toBe(n + 1);
  });

  it.each([
    [{ idleLockMinutes: 0 }, 'idleLockMinutes'],
    [{ idleLockMinutes: 61 }, 'idleLockMinutes'],
    [{ idleLockMinutes: 2.5 }, 'idleLockMinutes'],
    [{ escalationText: 'x'.repeat(301) }, 'escalationText'],
    [{ escalationText: 42 }, 'escalationText'],
  ])('refuses %j with 400 naming %s, and changes nothing', async (body, field) => {
    const before = (await h.http('GET', '/api/v1/settings', { cookie: admin.cookie })).body.settings;
    const audits = await countRows(h, 'audit_events', sql`action = 'settings.updated'`);
    const res = await patchSettings(admin, body);
    expectError(res, 400, 'invalid_input');
    expect(Object.keys(res.body.error.details)).toContain(field);
    expect((await h.http('GET', '/api/v1/settings', { cookie: admin.cookie })).body.settings).toEqual(before);
    expect(await countRows(h, 'audit_events', sql`action = 'settings.updated'`)).toBe(audits);
  });

  it('refuses unknown keys', async () => {
    expectError(await patchSettings(admin, { lowTokenThreshold: 1 }), 400, 'invalid_input');
  });

  it('staff may neither read nor change them', async () => {
    const nurse = await quickUser(h);
    expectError(await h.http('GET', '/api/v1/settings', { cookie: nurse.cookie }), 403, 'forbidden');
    expectError(await patchSettings(nurse as TestUser, { idleLockMinutes: 60 }), 403, 'forbidden');
    expect((await h.http('GET', '/api/v1/settings', { cookie: admin.cookie })).body.settings.idleLockMinutes).not.toBe(60);
  });
});

describe('sign out everywhere', () => {
  it('ends every session of the caller (this one too) and unused sign-in links, and is audited; others keep theirs', async () => {
    const nurse = await h.user('staff');
    const second = await h.http('POST', '/api/v1/auth/login', { body: { username: nurse.username, password: nurse.password } });
    const secondCookie = (second.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { code } = await createSignInCode(h.runtime.ctx, nurse.id);
    const bystander = await quickUser(h);

    const res = await h.http('POST', '/api/v1/auth/logout-everywhere', { cookie: nurse.cookie });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/et_session=;/);
    expectError(await me(nurse), 401, 'unauthenticated');
    expectError(await me({ cookie: secondCookie }), 401, 'unauthenticated');
    expectError(await h.http('POST', '/api/v1/auth/slack-link', { body: { code } }), 401, 'invalid_code');
    expect((await me(bystander)).status).toBe(200);

    const [event] = await dbRows<{ actor_id: string; details: Record<string, unknown> }>(
      h,
      sql`select actor_id, details from audit_events where action = 'auth.logout' and subject_user_id = ${nurse.id}`,
    );
    expect(event).toMatchObject({ actor_id: nurse.id, details: { scope: 'everywhere', sessions: 2 } });
  });

  it('needs a session', async () => {
    expectError(await h.http('POST', '/api/v1/auth/logout-everywhere'), 401, 'unauthenticated');
  });
});
