// Who may call what: every route of the contract against every role (anonymous, staff, admin,
// super_admin), table-driven from the contract's "who" column; then the "admin: all; staff: own" lists,
// profiles, and the super_admin-only user changes.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInCode } from '../../api/domain/auth';
import { dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let issuer: TestUser; // an admin outside the matrix who prepares tokens
let other: TestUser; // a staff member whose things the matrix acts on
let passwordUser: TestUser;
beforeAll(async () => {
  h = await startHarness();
  issuer = await quickUser(h, 'admin');
  other = await quickUser(h, 'staff');
  passwordUser = await h.user('staff');
});
afterAll(() => h?.close());

type Role = 'anonymous' | 'staff' | 'admin' | 'super_admin';
type Who = 'anyone' | 'signed_in' | 'admin' | 'super_admin';
const ROLES: Role[] = ['anonymous', 'staff', 'admin', 'super_admin'];
const rank: Record<Role, number> = { anonymous: -1, staff: 0, admin: 1, super_admin: 2 };
const needs: Record<Who, number> = { anyone: -1, signed_in: 0, admin: 1, super_admin: 2 };

interface Call {
  path: string;
  body?: unknown;
  /** Act with this cookie instead of the role's (e.g. a throwaway session for logout). */
  cookie?: string;
}
interface Row {
  method: string;
  route: string;
  who: Who;
  ok: number;
  /** Build the request for a caller of this role (fresh resources each time). */
  call: (actor: TestUser | null) => Promise<Call> | Call;
  stream?: boolean;
}

const uname = () => `m-${randomBytes(5).toString('hex')}`;
const fresh = async (userId?: string) => (await generate(h, issuer, { count: 1, userId: userId ?? null }))[0]!;
async function grantFor(user: TestUser) {
  const t = await fresh(user.id);
  const res = await h.http('POST', '/api/v1/tokens/validate', { cookie: user.cookie, body: { token: t.token, reason: 'matrix grant' } });
  if (res.status !== 200) throw new Error(`validate: ${res.status} ${res.text}`);
  return res.body.grant as { id: string };
}
async function requestBy(user: TestUser) {
  const res = await h.http('POST', '/api/v1/token-requests', { cookie: user.cookie, body: { quantity: 1, reason: 'matrix' } });
  if (res.status !== 201) throw new Error(`request: ${res.status} ${res.text}`);
  return res.body.request as { id: string };
}

const rows: Row[] = [
  { method: 'GET', route: '/healthz', who: 'anyone', ok: 200, call: () => ({ path: '/healthz' }) },
  { method: 'GET', route: '/readyz', who: 'anyone', ok: 200, call: () => ({ path: '/readyz' }) },
  { method: 'GET', route: '/openapi.json', who: 'anyone', ok: 200, call: () => ({ path: '/api/v1/openapi.json' }) },
  { method: 'POST', route: '/auth/login', who: 'anyone', ok: 200, call: () => ({ path: '/api/v1/auth/login', body: { username: passwordUser.username, password: passwordUser.password } }) },
  {
    method: 'POST',
    route: '/auth/slack-link',
    who: 'anyone',
    ok: 200,
    call: async () => ({ path: '/api/v1/auth/slack-link', body: { code: (await createSignInCode(h.runtime.ctx, other.id)).code } }),
  },
  {
    method: 'POST',
    route: '/auth/logout',
    who: 'signed_in',
    ok: 204,
    // A throwaway session of the same role, so the matrix's own sessions survive.
    call: async (actor) => ({ path: '/api/v1/auth/logout', ...(actor && { cookie: (await quickUser(h, actor.role)).cookie }) }),
  },
  { method: 'GET', route: '/me', who: 'signed_in', ok: 200, call: () => ({ path: '/api/v1/me' }) },
  { method: 'GET', route: '/users', who: 'admin', ok: 200, call: () => ({ path: '/api/v1/users' }) },
  { method: 'POST', route: '/users (staff)', who: 'admin', ok: 201, call: () => ({ path: '/api/v1/users', body: { username: uname(), name: 'New Staff', role: 'staff' } }) },
  { method: 'POST', route: '/users (admin)', who: 'super_admin', ok: 201, call: () => ({ path: '/api/v1/users', body: { username: uname(), name: 'New Admin', role: 'admin' } }) },
  { method: 'POST', route: '/users (super_admin)', who: 'super_admin', ok: 201, call: () => ({ path: '/api/v1/users', body: { username: uname(), name: 'New Super', role: 'super_admin' } }) },
  { method: 'PATCH', route: '/users/:id (name of staff)', who: 'admin', ok: 200, call: async () => ({ path: `/api/v1/users/${(await quickUser(h)).id}`, body: { name: 'Renamed' } }) },
  { method: 'PATCH', route: '/users/:id (role)', who: 'super_admin', ok: 200, call: async () => ({ path: `/api/v1/users/${(await quickUser(h)).id}`, body: { role: 'admin' } }) },
  { method: 'PATCH', route: '/users/:id (an admin)', who: 'super_admin', ok: 200, call: async () => ({ path: `/api/v1/users/${(await quickUser(h, 'admin')).id}`, body: { name: 'Renamed Admin' } }) },
  { method: 'GET', route: "/users/:id/profile (someone else's)", who: 'admin', ok: 200, call: () => ({ path: `/api/v1/users/${other.id}/profile` }) },
  { method: 'GET', route: '/users/:id/profile (own)', who: 'signed_in', ok: 200, call: (actor) => ({ path: `/api/v1/users/${actor?.id ?? other.id}/profile` }) },
  { method: 'GET', route: '/tokens', who: 'admin', ok: 200, call: () => ({ path: '/api/v1/tokens' }) },
  { method: 'GET', route: '/tokens/mine', who: 'signed_in', ok: 200, call: () => ({ path: '/api/v1/tokens/mine' }) },
  { method: 'POST', route: '/tokens/generate', who: 'admin', ok: 201, call: () => ({ path: '/api/v1/tokens/generate', body: { count: 2, userId: other.id } }) },
  { method: 'POST', route: '/tokens/validate', who: 'signed_in', ok: 200, call: async () => ({ path: '/api/v1/tokens/validate', body: { token: (await fresh()).token, reason: 'matrix check' } }) },
  { method: 'POST', route: '/tokens/reveal', who: 'signed_in', ok: 200, call: () => ({ path: '/api/v1/tokens/reveal' }) },
  { method: 'DELETE', route: '/tokens/:id', who: 'admin', ok: 200, call: async () => ({ path: `/api/v1/tokens/${(await fresh(other.id)).id}` }) },
  { method: 'GET', route: '/emergency-session', who: 'signed_in', ok: 200, call: () => ({ path: '/api/v1/emergency-session' }) },
  { method: 'POST', route: '/emergency-session/clear', who: 'signed_in', ok: 204, call: () => ({ path: '/api/v1/emergency-session/clear' }) },
  {
    method: 'POST',
    route: '/emergency-records',
    who: 'signed_in',
    ok: 201,
    call: async (actor) => {
      if (actor) await grantFor(actor);
      return { path: '/api/v1/emergency-records', body: { complaint: 'chest pain', triageLevel: 2 } };
    },
  },
  { method: 'GET', route: '/emergency-records', who: 'signed_in', ok: 200, call: () => ({ path: '/api/v1/emergency-records' }) },
  { method: 'GET', route: '/grants', who: 'signed_in', ok: 200, call: () => ({ path: '/api/v1/grants' }) },
  { method: 'POST', route: '/grants/:id/review', who: 'admin', ok: 200, call: async () => ({ path: `/api/v1/grants/${(await grantFor(other)).id}/review`, body: { verdict: 'justified' } }) },
  { method: 'POST', route: '/token-requests', who: 'signed_in', ok: 201, call: () => ({ path: '/api/v1/token-requests', body: { quantity: 2, reason: 'running low' } }) },
  { method: 'GET', route: '/token-requests', who: 'signed_in', ok: 200, call: () => ({ path: '/api/v1/token-requests' }) },
  { method: 'POST', route: '/token-requests/:id/approve', who: 'admin', ok: 200, call: async () => ({ path: `/api/v1/token-requests/${(await requestBy(other)).id}/approve`, body: { note: 'ok' } }) },
  { method: 'POST', route: '/token-requests/:id/reject', who: 'admin', ok: 200, call: async () => ({ path: `/api/v1/token-requests/${(await requestBy(other)).id}/reject`, body: { reason: 'not now' } }) },
  { method: 'GET', route: '/monitoring', who: 'admin', ok: 200, call: () => ({ path: '/api/v1/monitoring' }) },
  { method: 'GET', route: '/audit', who: 'admin', ok: 200, call: () => ({ path: '/api/v1/audit' }) },
  { method: 'GET', route: '/audit/export.csv', who: 'admin', ok: 200, call: () => ({ path: '/api/v1/audit/export.csv' }) },
  { method: 'GET', route: '/events', who: 'signed_in', ok: 200, stream: true, call: () => ({ path: '/api/v1/events' }) },
];

/** A Server-Sent Events response never ends: read the status and the first event, then hang up. */
async function openStream(path: string, cookie: string | undefined) {
  const controller = new AbortController();
  const res = await h.runtime.app.request(path, { headers: cookie ? { cookie } : {}, signal: controller.signal });
  let first: string;
  if (res.status === 200 && res.body) {
    const reader = res.body.getReader();
    const { value } = await reader.read();
    first = new TextDecoder().decode(value);
    await reader.cancel();
  } else {
    first = await res.text();
  }
  controller.abort();
  return { status: res.status, headers: res.headers, text: first, body: safeJson(first) };
}
const safeJson = (t: string) => {
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
};

/** Rows in the tables a refused call might touch (a refusal may itself be audited as a failure). */
const footprint = async () =>
  (
    await dbRows<Record<string, number>>(
      h,
      sql`select (select count(*)::int from users) u, (select count(*)::int from tokens) t, (select count(*) filter (where status = 'available')::int from tokens) ta,
                 (select count(*)::int from grants) g, (select count(*)::int from grant_reviews) gr, (select count(*)::int from token_requests) r,
                 (select count(*) filter (where status = 'pending')::int from token_requests) rp, (select count(*)::int from emergency_records) e,
                 (select count(*) filter (where outcome = 'success')::int from audit_events) a, (select count(*) filter (where revoked_at is null)::int from sessions) s`,
    )
  )[0]!;

describe('every route × every role', () => {
  const actors: Partial<Record<Role, TestUser>> = {};
  beforeAll(async () => {
    actors.staff = await quickUser(h, 'staff');
    actors.admin = await quickUser(h, 'admin');
    actors.super_admin = await quickUser(h, 'super_admin');
  });

  for (const row of rows) {
    for (const role of ROLES) {
      const allowed = rank[role] >= needs[row.who];
      const expected = allowed ? row.ok : role === 'anonymous' ? 401 : 403;
      it(`${row.method} ${row.route} as ${role} → ${expected}`, async () => {
        const actor = role === 'anonymous' ? null : actors[role]!;
        const call = await row.call(actor);
        const cookie = call.cookie ?? actor?.cookie;
        const before = allowed ? undefined : await footprint();
        const res = row.stream ? await openStream(call.path, cookie) : await h.http(row.method, call.path, { cookie, body: call.body });
        if (allowed) {
          expect(res.status, res.text.slice(0, 300)).toBe(row.ok);
          if (row.stream) expect(res.text).toContain('event: ready');
        } else {
          expectError(res as never, expected, role === 'anonymous' ? 'unauthenticated' : 'forbidden');
          expect(await footprint(), 'a refused call changes nothing').toEqual(before);
        }
      });
    }
  }
});

describe('"admin: all; staff: own" lists', () => {
  let a: TestUser;
  let b: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    a = await quickUser(h);
    b = await quickUser(h);
    admin = await quickUser(h, 'admin');
    for (const u of [a, b]) {
      await grantFor(u);
      expect((await h.http('POST', '/api/v1/emergency-records', { cookie: u.cookie, body: { complaint: `complaint of ${u.username}`, triageLevel: 3 } })).status).toBe(201);
      await requestBy(u);
    }
  });

  for (const path of ['/api/v1/emergency-records', '/api/v1/grants', '/api/v1/token-requests']) {
    it(`GET ${path}: staff get only their own items, whatever they filter by; admins get everyone's`, async () => {
      const own = await h.http('GET', `${path}?limit=200`, { cookie: a.cookie });
      expect(own.status).toBe(200);
      expect(own.body.items.length).toBeGreaterThan(0);
      expect(new Set(own.body.items.map((i: { userId: string }) => i.userId))).toEqual(new Set([a.id]));

      const sneaky = await h.http('GET', `${path}?limit=200&userId=${b.id}`, { cookie: a.cookie });
      expect(sneaky.status).toBe(200);
      expect(sneaky.body.items.every((i: { userId: string }) => i.userId === a.id)).toBe(true);

      const all = await h.http('GET', `${path}?limit=200`, { cookie: admin.cookie });
      const users = new Set(all.body.items.map((i: { userId: string }) => i.userId));
      expect(users.has(a.id) && users.has(b.id)).toBe(true);
      const filtered = await h.http('GET', `${path}?limit=200&userId=${b.id}`, { cookie: admin.cookie });
      if (path.endsWith('emergency-records')) return; // records take no userId filter
      expect(filtered.body.items.length).toBeGreaterThan(0);
      expect(filtered.body.items.every((i: { userId: string }) => i.userId === b.id)).toBe(true);
    });
  }

  it('GET /tokens/mine lists only the caller’s tokens', async () => {
    await generate(h, issuer, { count: 2, userId: a.id });
    await generate(h, issuer, { count: 1, userId: b.id });
    const res = await h.http('GET', '/api/v1/tokens/mine', { cookie: a.cookie });
    expect(res.body.items.length).toBeGreaterThanOrEqual(2);
    expect(res.body.items.every((t: { userId: string }) => t.userId === a.id)).toBe(true);
  });
});

describe('profiles and user administration', () => {
  it('GET /users/:id/profile: admin or the user themself', async () => {
    const a = await quickUser(h);
    const b = await quickUser(h);
    const admin = await quickUser(h, 'admin');
    const self = await h.http('GET', `/api/v1/users/${a.id}/profile`, { cookie: a.cookie });
    expect(self.status).toBe(200);
    expect(self.body.user.id).toBe(a.id);
    expect(self.body.tokens).toEqual({ available: 0, used: 0, expired: 0, revoked: 0 });
    expectError(await h.http('GET', `/api/v1/users/${b.id}/profile`, { cookie: a.cookie }), 403, 'forbidden');
    expect((await h.http('GET', `/api/v1/users/${b.id}/profile`, { cookie: admin.cookie })).status).toBe(200);
    expectError(await h.http('GET', '/api/v1/users/00000000-0000-4000-8000-000000000000/profile', { cookie: admin.cookie }), 404, 'not_found');
  });

  it('only a super_admin creates admins or changes roles; nobody changes their own role', async () => {
    const admin = await quickUser(h, 'admin');
    const peer = await quickUser(h, 'admin');
    const superAdmin = await quickUser(h, 'super_admin');
    const staff = await quickUser(h);

    expectError(await h.http('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: uname(), name: 'X', role: 'admin' } }), 403, 'forbidden');
    expectError(await h.http('PATCH', `/api/v1/users/${staff.id}`, { cookie: admin.cookie, body: { role: 'admin' } }), 403, 'forbidden');
    expectError(await h.http('PATCH', `/api/v1/users/${admin.id}`, { cookie: admin.cookie, body: { role: 'super_admin' } }), 403, 'forbidden');
    expectError(await h.http('PATCH', `/api/v1/users/${peer.id}`, { cookie: admin.cookie, body: { name: 'Peer renamed' } }), 403, 'forbidden');
    expectError(await h.http('PATCH', `/api/v1/users/${peer.id}`, { cookie: admin.cookie, body: { active: false } }), 403, 'forbidden');
    expectError(await h.http('PATCH', `/api/v1/users/${superAdmin.id}`, { cookie: superAdmin.cookie, body: { role: 'staff' } }), 403, 'forbidden');
    const [rows] = await dbRows<{ roles: string[] }>(h, sql`select array_agg(role::text order by username) as roles from users where id in (${staff.id}, ${admin.id}, ${peer.id}, ${superAdmin.id})`);
    expect([...rows!.roles].sort()).toEqual(['admin', 'admin', 'staff', 'super_admin']);

    const promoted = await h.http('PATCH', `/api/v1/users/${staff.id}`, { cookie: superAdmin.cookie, body: { role: 'admin' } });
    expect(promoted.status).toBe(200);
    expect(promoted.body.user.role).toBe('admin');
    // The change takes effect on the next request of the promoted user's existing session.
    expect((await h.http('GET', '/api/v1/users', { cookie: staff.cookie })).status).toBe(200);
    const [ev] = await dbRows<{ details: Record<string, unknown> }>(h, sql`select details from audit_events where action = 'user.updated' and subject_user_id = ${staff.id}`);
    expect(ev!.details).toMatchObject({ role: 'admin', previousRole: 'staff' });
  });

  it('POST /users: duplicate username (any case) or Slack id is 409', async () => {
    const admin = await quickUser(h, 'admin');
    const name = uname();
    const first = await h.http('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: name, name: 'One', role: 'staff', slackUserId: 'U0DUPCHECK1' } });
    expect(first.status).toBe(201);
    expectError(await h.http('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: name.toUpperCase(), name: 'Two', role: 'staff' } }), 409, 'conflict');
    expectError(await h.http('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: uname(), name: 'Three', role: 'staff', slackUserId: 'U0DUPCHECK1' } }), 409, 'conflict');
  });
});
