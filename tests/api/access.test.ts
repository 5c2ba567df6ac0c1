// Who may call what, generated from the OpenAPI document: every operation declares its floor in
// `x-required-role` (anyone, signed-in, admin, super_admin; see api/routes/helpers.ts) and is called as
// every role (anonymous, staff, admin, super_admin). An operation with no declared role, or with no way
// to call it below, fails the first test: a new route is covered or the suite is red. Operations that ask
// more for some inputs (creating an admin, someone else's profile) add variants. Then the "admin: all;
// staff: own" lists, profiles, and the super_admin-only user changes.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInCode } from '../../api/domain/auth';
import { requiredRoles, type RequiredRole } from '../../api/routes/helpers';
import { openApiDocument } from '../../scripts/openapi';
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
const ROLES: Role[] = ['anonymous', 'staff', 'admin', 'super_admin'];
const rank: Record<Role, number> = { anonymous: -1, staff: 0, admin: 1, super_admin: 2 };
const needs: Record<RequiredRole, number> = { anyone: -1, 'signed-in': 0, admin: 1, super_admin: 2 };

interface Call {
  /** Values for the path's {parameters}. */
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  /** Act with this cookie instead of the role's (e.g. a throwaway session for logout). */
  cookie?: string;
}
interface Variant {
  name: string;
  /** At least the operation's declared role. */
  who: RequiredRole;
  ok: number;
  call: (actor: TestUser | null) => Promise<Call> | Call;
}
/** How to make a successful call of an operation (fresh resources each time), keyed by operationId. */
interface Fixture {
  ok: number;
  call: (actor: TestUser | null) => Promise<Call> | Call;
  stream?: boolean;
  variants?: Variant[];
}

const uname = () => `m-${randomBytes(5).toString('hex')}`;
const fresh = async (userId?: string) => (await generate(h, issuer, { count: 1, userId: userId ?? null }))[0]!;
async function grantFor(user: TestUser) {
  const t = await fresh(user.id);
  const res = await h.http('POST', '/api/v1/tokens/validate', { cookie: user.cookie, body: { token: t.token, reason: 'matrix grant' } });
  if (res.status !== 200) throw new Error(`validate: ${res.status} ${res.text}`);
  return res.body.grant as { id: string };
}
async function recordBy(user: TestUser) {
  await grantFor(user);
  const res = await h.http('POST', '/api/v1/emergency-records', { cookie: user.cookie, body: { complaint: 'matrix record', triageLevel: 3 } });
  if (res.status !== 201) throw new Error(`record: ${res.status} ${res.text}`);
  return res.body.record as { id: string };
}
async function requestBy(user: TestUser) {
  const res = await h.http('POST', '/api/v1/token-requests', { cookie: user.cookie, body: { quantity: 1, reason: 'matrix' } });
  if (res.status !== 201) throw new Error(`request: ${res.status} ${res.text}`);
  return res.body.request as { id: string };
}

/** An undelivered outbox message (this harness has no Slack, so one is written directly). */
async function deadLetter() {
  const [row] = await dbRows<{ id: number }>(
    h,
    sql`insert into outbox (kind, payload, status, attempts, dead_at, dead_reason) values ('lockout', '{}'::jsonb, 'dead', 3, now(), 'not_in_channel') returning id::int`,
  );
  return String(row!.id);
}

const fixtures: Record<string, Fixture> = {
  login: { ok: 200, call: () => ({ body: { username: passwordUser.username, password: passwordUser.password } }) },
  signInWithSlackCode: { ok: 200, call: async () => ({ body: { code: (await createSignInCode(h.runtime.ctx, other.id)).code } }) },
  // A throwaway session of the same role, so the matrix's own sessions survive.
  logout: { ok: 204, call: async (actor) => (actor ? { cookie: (await quickUser(h, actor.role)).cookie } : {}) },
  // Another account of the same role: ending all of its sessions leaves the matrix's own alone.
  logoutEverywhere: { ok: 204, call: async (actor) => (actor ? { cookie: (await quickUser(h, actor.role)).cookie } : {}) },
  getMe: { ok: 200, call: () => ({}) },
  updateMe: { ok: 200, call: () => ({ body: { locale: 'id' } }) },
  getSettings: { ok: 200, call: () => ({}) },
  updateSettings: { ok: 200, call: () => ({ body: { escalationText: `Call the charge nurse on ${randomBytes(2).readUInt16BE()}` } }) },
  listUsers: { ok: 200, call: () => ({}) },
  createUser: {
    ok: 201,
    call: () => ({ body: { username: uname(), name: 'New Staff', role: 'staff' } }),
    variants: [
      { name: 'an admin', who: 'super_admin', ok: 201, call: () => ({ body: { username: uname(), name: 'New Admin', role: 'admin' } }) },
      { name: 'a super_admin', who: 'super_admin', ok: 201, call: () => ({ body: { username: uname(), name: 'New Super', role: 'super_admin' } }) },
    ],
  },
  updateUser: {
    ok: 200,
    call: async () => ({ params: { id: (await quickUser(h)).id }, body: { name: 'Renamed' } }),
    variants: [
      { name: 'a role', who: 'super_admin', ok: 200, call: async () => ({ params: { id: (await quickUser(h)).id }, body: { role: 'admin' } }) },
      {
        name: 'an admin',
        who: 'super_admin',
        ok: 200,
        call: async () => ({ params: { id: (await quickUser(h, 'admin')).id }, body: { name: 'Renamed Admin' } }),
      },
    ],
  },
  getUserProfile: {
    ok: 200,
    call: (actor) => ({ params: { id: actor?.id ?? other.id } }),
    variants: [{ name: "someone else's", who: 'admin', ok: 200, call: () => ({ params: { id: other.id } }) }],
  },
  listTokens: { ok: 200, call: () => ({}) },
  listMyTokens: { ok: 200, call: () => ({}) },
  generateTokens: { ok: 201, call: () => ({ body: { count: 2, userId: other.id } }) },
  validateToken: { ok: 200, call: async () => ({ body: { token: (await fresh()).token, reason: 'matrix check' } }) },
  revealMyTokens: { ok: 200, call: () => ({}) },
  revokeToken: { ok: 200, call: async () => ({ params: { id: (await fresh(other.id)).id } }) },
  getEmergencySession: { ok: 200, call: () => ({}) },
  clearEmergencySession: { ok: 204, call: () => ({}) },
  createEmergencyRecord: {
    ok: 201,
    call: async (actor) => {
      if (actor) await grantFor(actor);
      return { body: { complaint: 'chest pain', triageLevel: 2 } };
    },
  },
  listEmergencyRecords: { ok: 200, call: () => ({}) },
  getEmergencyRecord: {
    ok: 200,
    call: async (actor) => ({ params: { id: (await recordBy(actor ?? other)).id } }),
    variants: [{ name: "someone else's", who: 'admin', ok: 200, call: async () => ({ params: { id: (await recordBy(other)).id } }) }],
  },
  listGrants: { ok: 200, call: () => ({}) },
  reviewGrant: { ok: 200, call: async () => ({ params: { id: (await grantFor(other)).id }, body: { verdict: 'justified' } }) },
  createTokenRequest: { ok: 201, call: () => ({ body: { quantity: 2, reason: 'running low' } }) },
  listTokenRequests: { ok: 200, call: () => ({}) },
  approveTokenRequest: { ok: 200, call: async () => ({ params: { id: (await requestBy(other)).id }, body: { note: 'ok' } }) },
  rejectTokenRequest: { ok: 200, call: async () => ({ params: { id: (await requestBy(other)).id }, body: { reason: 'not now' } }) },
  getMonitoring: { ok: 200, call: () => ({}) },
  getActivitySeries: {
    ok: 200,
    call: () => ({ query: 'bucket=day&tz=Asia/Jakarta' }),
    variants: [{ name: 'per hour', who: 'admin', ok: 200, call: () => ({ query: 'bucket=hour' }) }],
  },
  getTopUsers: { ok: 200, call: () => ({}) },
  getStockHistory: { ok: 200, call: () => ({ query: 'tz=UTC' }) },
  listAuditEvents: { ok: 200, call: () => ({}) },
  exportAuditCsv: { ok: 200, call: () => ({}) },
  verifyAudit: { ok: 200, call: () => ({}) },
  getLastAuditVerification: { ok: 200, call: () => ({}) },
  exportAuditFhirNdjson: { ok: 200, call: () => ({ query: 'action=record.viewed' }) },
  streamEvents: { ok: 200, stream: true, call: () => ({}) },
  listDeadLetters: { ok: 200, call: () => ({}) },
  getReadiness: { ok: 200, call: () => ({}) },
  retryDeadLetter: { ok: 200, call: async () => ({ params: { id: await deadLetter() } }) },
};

// Outside the API document: the liveness probe and the document itself.
const outside: Array<{ method: string; path: string; ok: number }> = [
  { method: 'GET', path: '/healthz', ok: 200 },
  { method: 'GET', path: '/api/v1/openapi.json', ok: 200 },
];

interface Operation {
  method: string;
  path: string;
  operationId: string | undefined;
  role: unknown;
  responses: Record<string, unknown>;
  security: unknown;
  /** The operation's own server (GET /readyz is served at the root), else the document's. */
  server: string | undefined;
}
type Doc = {
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: { securitySchemes?: Record<string, unknown> };
};
// Collected before the tests are defined: the document decides which tests exist.
const doc = (await openApiDocument()) as Doc;
const base = doc.servers[0]!.url;
const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    operationId: op.operationId as string | undefined,
    role: op['x-required-role'],
    responses: (op.responses ?? {}) as Record<string, unknown>,
    security: op.security,
    server: (op.servers as Array<{ url: string }> | undefined)?.[0]?.url,
  })),
);
const label = (op: Operation) => `${op.method} ${op.path}`;
const urlOf = (op: Operation, call: Call) =>
  (op.server?.replace(/\/$/, '') ?? base) +
  op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = call.params?.[name];
    if (value === undefined) throw new Error(`${label(op)}: the fixture gives no value for {${name}}`);
    return encodeURIComponent(value);
  }) +
  (call.query ? `?${call.query}` : '');

describe('the document declares who may call every operation', () => {
  it('the served document is the one the matrix is generated from', async () => {
    const served = await h.http('GET', '/api/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(doc);
  });

  it('every operation has an operationId, a declared role, a matching security requirement and a fixture here', () => {
    const problems: string[] = [];
    expect(Object.keys(doc.components?.securitySchemes ?? {})).toEqual(['session']);
    for (const op of operations) {
      if (!op.operationId) problems.push(`${label(op)}: no operationId`);
      if (!(requiredRoles as readonly unknown[]).includes(op.role))
        problems.push(`${label(op)}: x-required-role is ${JSON.stringify(op.role)} (declare it with defineRoute)`);
      const secured = Array.isArray(op.security) && op.security.length > 0;
      if (secured !== (op.role !== 'anyone')) problems.push(`${label(op)}: security ${JSON.stringify(op.security)} does not match role ${String(op.role)}`);
      if (op.role !== 'anyone' && !op.responses['401']) problems.push(`${label(op)}: does not document 401`);
      if ((op.role === 'admin' || op.role === 'super_admin') && !op.responses['403']) problems.push(`${label(op)}: does not document 403`);
      const fixture = op.operationId ? fixtures[op.operationId] : undefined;
      if (!fixture) problems.push(`${label(op)}: no fixture in tests/api/access.test.ts for operationId ${op.operationId}`);
      for (const v of fixture?.variants ?? [])
        if (needs[v.who] < needs[op.role as RequiredRole]) problems.push(`${label(op)} (${v.name}): variant needs less than the declared role`);
    }
    const ids = new Set(operations.map((o) => o.operationId));
    for (const id of Object.keys(fixtures)) if (!ids.has(id)) problems.push(`fixture ${id} matches no operation in the document`);
    expect(problems).toEqual([]);
  });
});

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

describe('every operation × every role, from the document', () => {
  const actors: Partial<Record<Role, TestUser>> = {};
  beforeAll(async () => {
    actors.staff = await quickUser(h, 'staff');
    actors.admin = await quickUser(h, 'admin');
    actors.super_admin = await quickUser(h, 'super_admin');
  });

  for (const { method, path, ok } of outside) {
    for (const role of ROLES) {
      it(`${method} ${path} (outside the document) as ${role} → ${ok}`, async () => {
        const res = await h.http(method, path, { cookie: role === 'anonymous' ? undefined : actors[role]!.cookie });
        expect(res.status).toBe(ok);
      });
    }
  }

  for (const op of operations) {
    const fixture = op.operationId ? fixtures[op.operationId] : undefined;
    if (!fixture || !(requiredRoles as readonly unknown[]).includes(op.role)) continue; // reported above
    const cases: Variant[] = [{ name: '', who: op.role as RequiredRole, ok: fixture.ok, call: fixture.call }, ...(fixture.variants ?? [])];
    for (const c of cases) {
      for (const role of ROLES) {
        const allowed = rank[role] >= needs[c.who];
        const expected = allowed ? c.ok : role === 'anonymous' ? 401 : 403;
        it(`${op.operationId}: ${label(op)}${c.name ? ` (${c.name})` : ''} [${c.who}] as ${role} → ${expected}`, async () => {
          const actor = role === 'anonymous' ? null : actors[role]!;
          const call = await c.call(actor);
          const cookie = call.cookie ?? actor?.cookie;
          const url = urlOf(op, call);
          const before = allowed ? undefined : await footprint();
          const res = fixture.stream ? await openStream(url, cookie) : await h.http(op.method, url, { cookie, body: call.body });
          if (allowed) {
            expect(res.status, res.text.slice(0, 300)).toBe(c.ok);
            if (fixture.stream) expect(res.text).toContain('event: ready');
          } else {
            expectError(res as never, expected, role === 'anonymous' ? 'unauthenticated' : 'forbidden');
            expect(await footprint(), 'a refused call changes nothing').toEqual(before);
          }
        });
      }
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
      expect(
        (await h.http('POST', '/api/v1/emergency-records', { cookie: u.cookie, body: { complaint: `complaint of ${u.username}`, triageLevel: 3 } })).status,
      ).toBe(201);
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
    const [rows] = await dbRows<{ roles: string[] }>(
      h,
      sql`select array_agg(role::text order by username) as roles from users where id in (${staff.id}, ${admin.id}, ${peer.id}, ${superAdmin.id})`,
    );
    expect([...rows!.roles].sort()).toEqual(['admin', 'admin', 'staff', 'super_admin']);

    const promoted = await h.http('PATCH', `/api/v1/users/${staff.id}`, { cookie: superAdmin.cookie, body: { role: 'admin' } });
    expect(promoted.status).toBe(200);
    expect(promoted.body.user.role).toBe('admin');
    // The change takes effect on the next request of the promoted user's existing session.
    expect((await h.http('GET', '/api/v1/users', { cookie: staff.cookie })).status).toBe(200);
    const [ev] = await dbRows<{ details: Record<string, unknown> }>(
      h,
      sql`select details from audit_events where action = 'user.updated' and subject_user_id = ${staff.id}`,
    );
    expect(ev!.details).toMatchObject({ role: 'admin', previousRole: 'staff' });
  });

  it('POST /users: duplicate username (any case) or Slack id is 409', async () => {
    const admin = await quickUser(h, 'admin');
    const name = uname();
    const first = await h.http('POST', '/api/v1/users', {
      cookie: admin.cookie,
      body: { username: name, name: 'One', role: 'staff', slackUserId: 'U0DUPCHECK1' },
    });
    expect(first.status).toBe(201);
    expectError(
      await h.http('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: name.toUpperCase(), name: 'Two', role: 'staff' } }),
      409,
      'conflict',
    );
    expectError(
      await h.http('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: uname(), name: 'Three', role: 'staff', slackUserId: 'U0DUPCHECK1' } }),
      409,
      'conflict',
    );
  });
});
