// Sign-in and sessions (password login and its lockout, Slack one-time codes, logout), the cross-site
// request guard, and the unauthenticated probes and OpenAPI document.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInCode, userForSession } from '../../api/domain/auth';
import { countRows, dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
beforeAll(async () => {
  // Client addresses come from X-Forwarded-For here, so tests can sign in "from" several addresses. The
  // ceiling is lowered from 50 so that reaching it costs fewer password checks.
  h = await startHarness({ TRUST_PROXY: 'true', LOGIN_CEILING: '10' });
  admin = await quickUser(h, 'admin');
});
afterAll(() => h?.close());

const login = (username: string, password: string, headers: Record<string, string> = {}) =>
  h.http('POST', '/api/v1/auth/login', { body: { username, password }, headers });
const from = (address: string) => ({ 'x-forwarded-for': address });
let nextAddress = 0;
/** A client address no other test uses. */
const freshAddress = () => `10.${Math.floor(++nextAddress / 250)}.${nextAddress % 250}.${Math.floor(Math.random() * 250) + 1}`;

describe('password login', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie that signs the user in', async () => {
    const nurse = await h.user('staff');
    const res = await login(nurse.username, nurse.password);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: nurse.id, username: nurse.username, role: 'staff' });
    expect(res.text).not.toContain('passwordHash');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^et_session=[^;]+/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // served over http in tests
    const me = await h.http('GET', '/api/v1/me', { cookie: cookie.split(';')[0] });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(nurse.id);
  });

  it('a request carries the signed-in user without the password hash (only sign-in reads it)', async () => {
    const nurse = await h.user('staff');
    const secret = nurse.cookie.slice('et_session='.length);
    const user = await userForSession(h.runtime.ctx, secret);
    expect(user).toMatchObject({ id: nurse.id, role: 'staff', active: true });
    // A log line or a response built from the request's user cannot carry what it does not hold.
    expect(user).not.toHaveProperty('passwordHash');
  });

  it('a wrong password or unknown user is 401 invalid_credentials, and is audited', async () => {
    const nurse = await h.user('staff');
    expectError(await login(nurse.username, 'not-the-password'), 401, 'invalid_credentials');
    expectError(await login(`nobody-${nurse.username}`, 'whatever-password'), 401, 'invalid_credentials');
    expect(await countRows(h, 'audit_events', sql`action = 'auth.login' and outcome = 'failure' and subject_user_id = ${nurse.id}`)).toBe(1);
  });

  it('after 5 failures for a username the 6th attempt is 429 with Retry-After, even with the right password', async () => {
    const nurse = await h.user('staff');
    const other = await h.user('staff');
    for (let i = 0; i < 5; i++) expectError(await login(nurse.username, `wrong-${i}-password`), 401, 'invalid_credentials');
    const sixth = await login(nurse.username, nurse.password);
    expectError(sixth, 429, 'too_many_attempts');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(sixth.headers.get('set-cookie')).toBeNull();
    // Usernames compare case-insensitively, so the lock holds for any spelling.
    expectError(await login(nurse.username.toUpperCase(), nurse.password), 429, 'too_many_attempts');
    // Per username: someone else signs in as usual.
    expect((await login(other.username, other.password)).status).toBe(200);
  });

  it('a successful login does not clear earlier failures (5 in the window lock the pair)', async () => {
    const nurse = await h.user('staff');
    for (let i = 0; i < 4; i++) expectError(await login(nurse.username, 'wrong-password-x'), 401, 'invalid_credentials');
    expect((await login(nurse.username, nurse.password)).status).toBe(200);
    const fifth = await login(nurse.username, 'wrong-password-y');
    expectError(fifth, 401, 'invalid_credentials');
    expect(fifth.body.error.details).toBeUndefined(); // nothing told about the account
    expectError(await login(nurse.username, nurse.password), 429, 'too_many_attempts');
  });

  it('concurrent wrong passwords cannot exceed the limit: at most five are checked, the rest get 429', async () => {
    const nurse = await h.user('staff');
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => login(nurse.username, `wrong-password-${i}`)));
    const checked = replies.filter((r) => r.status === 401).length;
    const refused = replies.filter((r) => r.status === 429).length;
    expect({ checked, refused }).toEqual({ checked: 5, refused: 7 });
  });

  it("5 bad passwords for someone else's username from an anonymous client lock only that client out", async () => {
    const victim = await h.user('admin');
    const attacker = freshAddress();
    for (let i = 0; i < 5; i++) expectError(await login(victim.username, `guess-${i}-password`, from(attacker)), 401, 'invalid_credentials');
    const refused = await login(victim.username, victim.password, from(attacker));
    expectError(refused, 429, 'too_many_attempts');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    // The real user, from their own address, signs in at once, again and again.
    for (let i = 0; i < 2; i++) expect((await login(victim.username, victim.password, from(freshAddress()))).status).toBe(200);
    const [lock] = await dbRows<{ details: Record<string, unknown>; ip: string }>(
      h,
      sql`select details, ip from audit_events where action = 'lockout' and subject_user_id = ${victim.id}`,
    );
    expect(lock).toMatchObject({ ip: attacker, details: { scope: 'login', by: 'username and address' } });
  });

  it('the per-username ceiling (LOGIN_CEILING, from many addresses) locks the username for everyone and alerts the admins', async () => {
    const victim = await h.user('staff');
    const ceiling = h.config.lockout.loginCeiling;
    for (let a = 0; a < ceiling / h.config.lockout.attempts; a++) {
      const address = freshAddress();
      const replies = await Promise.all(
        Array.from({ length: h.config.lockout.attempts }, (_, i) => login(victim.username, `spray-${a}-${i}-password`, from(address))),
      );
      for (const r of replies) expectError(r, 401, 'invalid_credentials');
    }
    const everyone = await login(victim.username, victim.password, from(freshAddress()));
    expectError(everyone, 429, 'too_many_attempts');
    expect(Number(everyone.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(await countRows(h, 'audit_events', sql`action = 'lockout' and subject_user_id = ${victim.id} and details->>'by' = 'username'`)).toBe(1);
    // Other accounts are not affected.
    const other = await h.user('staff');
    expect((await login(other.username, other.password, from(freshAddress()))).status).toBe(200);
  });

  it('the per-address ceiling stops one address spraying many usernames, and only that address', async () => {
    const sprayer = freshAddress();
    const ceiling = h.config.lockout.loginCeiling;
    for (let i = 0; i < ceiling; i += 5) {
      const replies = await Promise.all(Array.from({ length: 5 }, (_, j) => login(`nobody-${i + j}-${sprayer}`, 'spray-password', from(sprayer))));
      for (const r of replies) expectError(r, 401, 'invalid_credentials');
    }
    const nurse = await h.user('staff');
    expectError(await login(nurse.username, nurse.password, from(sprayer)), 429, 'too_many_attempts');
    expect((await login(nurse.username, nurse.password, from(freshAddress()))).status).toBe(200);
    expect(await countRows(h, 'audit_events', sql`action = 'lockout' and ip = ${sprayer}::inet and details->>'by' = 'address'`)).toBe(1);
  });

  it('sign-ins with a NUL or a lone surrogate are failed sign-ins: 401, counted and audited', async () => {
    const nurse = await h.user('staff');
    const address = freshAddress();
    const typed = [`${nurse.username}\u0000`, `${nurse.username}\ud800`];
    for (const username of typed) expectError(await login(username, 'whatever-password', from(address)), 401, 'invalid_credentials');
    expectError(await login(nurse.username, 'pass\u0000word\udfff', from(address)), 401, 'invalid_credentials');
    const failures = await dbRows<{ details: { username: string } }>(
      h,
      sql`select details from audit_events where action = 'auth.login' and outcome = 'failure' and ip = ${address}::inet order by id`,
    );
    expect(failures.map((f) => f.details.username)).toEqual([`${nurse.username}\ufffd`, `${nurse.username}\ufffd`, nurse.username]);
    const [counter] = await dbRows<{ n: number }>(
      h,
      sql`select cardinality(failed_at) as n from attempt_counters where key = ${`login:${nurse.username.toLowerCase()}|${address}`}`,
    );
    expect(counter!.n).toBe(1);
  });

  it('a deactivated user cannot sign in and loses open sessions', async () => {
    const nurse = await h.user('staff');
    const res = await h.http('PATCH', `/api/v1/users/${nurse.id}`, { cookie: admin.cookie, body: { active: false } });
    expect(res.status).toBe(200);
    expectError(await h.http('GET', '/api/v1/me', { cookie: nurse.cookie }), 401, 'unauthenticated');
    expectError(await login(nurse.username, nurse.password), 401, 'invalid_credentials');
  });
});

describe('slack one-time sign-in codes', () => {
  it('a code signs in once; a second use or an unknown code is 401 invalid_code', async () => {
    const nurse = await quickUser(h);
    const { code } = await createSignInCode(h.runtime.ctx, nurse.id);
    const first = await h.http('POST', '/api/v1/auth/slack-link', { body: { code } });
    expect(first.status).toBe(200);
    expect(first.body.user.id).toBe(nurse.id);
    expectError(await h.http('POST', '/api/v1/auth/slack-link', { body: { code } }), 401, 'invalid_code');
    expectError(await h.http('POST', '/api/v1/auth/slack-link', { body: { code: 'not-a-real-code' } }), 401, 'invalid_code');
  });

  it('an expired code is refused', async () => {
    const nurse = await quickUser(h);
    const { code } = await createSignInCode(h.runtime.ctx, nurse.id);
    await dbRows(h, sql`update sign_in_codes set expires_at = now() - interval '1 second' where user_id = ${nurse.id}`);
    expectError(await h.http('POST', '/api/v1/auth/slack-link', { body: { code } }), 401, 'invalid_code');
  });
});

describe('logout', () => {
  it('ends the session (204), audits it, and the cookie no longer works', async () => {
    const nurse = await quickUser(h);
    const out = await h.http('POST', '/api/v1/auth/logout', { cookie: nurse.cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie') ?? '').toMatch(/et_session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expectError(await h.http('GET', '/api/v1/me', { cookie: nurse.cookie }), 401, 'unauthenticated');
    expect(await countRows(h, 'audit_events', sql`action = 'auth.logout' and actor_id = ${nurse.id}`)).toBe(1);
    expect(await countRows(h, 'sessions', sql`user_id = ${nurse.id} and revoked_at is null`)).toBe(0);
    expectError(await h.http('POST', '/api/v1/auth/logout'), 401, 'unauthenticated');
  });
});

describe('cross-site request guard (CSRF)', () => {
  it('a state-changing request with a foreign Origin is 403 and changes nothing', async () => {
    const tokensBefore = await countRows(h, 'tokens');
    const foreign = { origin: 'https://evil.example' };
    expectError(await h.http('POST', '/api/v1/tokens/generate', { cookie: admin.cookie, body: { count: 3 }, headers: foreign }), 403, 'forbidden');
    expectError(await h.http('POST', '/api/v1/tokens/generate', { cookie: admin.cookie, body: { count: 3 }, headers: { origin: 'null' } }), 403, 'forbidden');
    expect(await countRows(h, 'tokens')).toBe(tokensBefore);

    const [t] = await generate(h, admin, { count: 1 });
    expectError(await h.http('DELETE', `/api/v1/tokens/${t!.id}`, { cookie: admin.cookie, headers: foreign }), 403, 'forbidden');
    const nurse = await quickUser(h);
    expectError(
      await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'cross-site' }, headers: foreign }),
      403,
      'forbidden',
    );
    expectError(await h.http('PATCH', `/api/v1/users/${nurse.id}`, { cookie: admin.cookie, body: { name: 'Evil' }, headers: foreign }), 403, 'forbidden');
    expectError(await h.http('POST', '/api/v1/auth/logout', { cookie: nurse.cookie, headers: foreign }), 403, 'forbidden');
    const [row] = await dbRows<{ status: string }>(h, sql`select status from tokens where id = ${t!.id}`);
    expect(row!.status).toBe('available');
    expect((await h.http('GET', '/api/v1/me', { cookie: nurse.cookie })).status).toBe(200);
  });

  it('login from a foreign origin is refused too (login CSRF)', async () => {
    const nurse = await h.user('staff');
    const res = await login(nurse.username, nurse.password, { origin: 'https://evil.example' });
    expectError(res, 403, 'forbidden');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('our own origin (request URL or PUBLIC_URL) is allowed, and reads are not blocked', async () => {
    expect(
      (await h.http('POST', '/api/v1/tokens/generate', { cookie: admin.cookie, body: { count: 1 }, headers: { origin: 'http://localhost' } })).status,
    ).toBe(201);
    expect(
      (await h.http('POST', '/api/v1/tokens/generate', { cookie: admin.cookie, body: { count: 1 }, headers: { origin: h.config.publicUrl } })).status,
    ).toBe(201);
    expect((await h.http('GET', '/api/v1/me', { cookie: admin.cookie, headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });
});

describe('probes and OpenAPI', () => {
  it('GET /healthz and GET /readyz answer without auth', async () => {
    const health = await h.http('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await h.http('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      database: h.db.url ? 'postgres' : 'pglite',
      parts: { database: 'up', events: 'up', outbox: 'off', slack: 'off', auditSyslog: 'off' },
    });
  });

  it('GET /api/v1/openapi.json is served without auth and lists the contract paths', async () => {
    const res = await h.http('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1/);
    const paths = Object.keys(res.body.paths);
    const expected: Array<[string, string]> = [
      ['/auth/login', 'post'],
      ['/auth/slack-link', 'post'],
      ['/auth/logout', 'post'],
      ['/auth/logout-everywhere', 'post'],
      ['/me', 'get'],
      ['/settings', 'get'],
      ['/settings', 'patch'],
      ['/users', 'get'],
      ['/users', 'post'],
      ['/users/{id}', 'patch'],
      ['/users/{id}/profile', 'get'],
      ['/tokens', 'get'],
      ['/tokens/mine', 'get'],
      ['/tokens/generate', 'post'],
      ['/tokens/validate', 'post'],
      ['/tokens/reveal', 'post'],
      ['/tokens/{id}', 'delete'],
      ['/emergency-session', 'get'],
      ['/emergency-session/clear', 'post'],
      ['/emergency-records', 'post'],
      ['/emergency-records', 'get'],
      ['/grants', 'get'],
      ['/grants/{id}/review', 'post'],
      ['/token-requests', 'post'],
      ['/token-requests', 'get'],
      ['/token-requests/{id}/approve', 'post'],
      ['/token-requests/{id}/reject', 'post'],
      ['/monitoring', 'get'],
      ['/monitoring/activity', 'get'],
      ['/monitoring/top-users', 'get'],
      ['/monitoring/stock-history', 'get'],
      ['/audit', 'get'],
      ['/audit/export.csv', 'get'],
    ];
    for (const [path, method] of expected) {
      expect(paths, path).toContain(path);
      expect(res.body.paths[path][method], `${method} ${path}`).toBeDefined();
    }
    // Generated from the validating schemas: the validate body names its fields and bounds.
    const validateSchema = res.body.paths['/tokens/validate'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(validateSchema)).toContain('reason');
  });

  it('unknown API paths are 404 in the error shape', async () => {
    expectError(await h.http('GET', '/api/v1/no-such-thing'), 404, 'not_found');
    expectError(await h.http('GET', '/api/v2/tokens'), 404, 'not_found');
  });
});
