// The monitoring series behind the admins' charts: activity per day and per hour (in the ward's time
// zone), top users by use, and the stock at the end of each day. Events and tokens are placed at known
// instants, and each answer is checked against a model computed here from those instants.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
let other: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin', { name: 'Admin Series' });
  nurse = await quickUser(h, 'staff', { name: 'Nurse Busy' });
  other = await quickUser(h, 'staff', { name: 'Nurse Quiet' });
});
afterAll(() => h?.close());

const get = (path: string, u: TestUser = admin) => h.http('GET', `/api/v1${path}`, { cookie: u.cookie });
const validate = (u: TestUser, token: string) => h.http('POST', '/api/v1/tokens/validate', { cookie: u.cookie, body: { token, reason: 'series check' } });

/** An audit event at `ago` before now (the trail is append-only: inserting is what it allows). */
async function eventAgo(action: string, outcome: 'success' | 'failure', ago: string, actorId: string | null = nurse.id): Promise<Date> {
  const [row] = await dbRows<{ at: Date | string }>(
    h,
    sql`insert into audit_events (at, action, outcome, actor_id, subject_user_id) values (now() - ${ago}::interval, ${action}, ${outcome}::audit_outcome, ${actorId}, ${actorId}) returning at`,
  );
  return new Date(row!.at);
}

type Point = { start: string; validated: number; failed: number; requested: number };
/** The bucket whose [start, next start) holds `at`; the last bucket is open-ended. */
function bucketOf(points: Point[], at: Date): number {
  let found = -1;
  points.forEach((p, i) => {
    if (Date.parse(p.start) <= at.getTime()) found = i;
  });
  return found;
}

describe('activity per day and per hour', () => {
  const placed: Array<{ at: Date; key: 'validated' | 'failed' | 'requested' }> = [];
  beforeAll(async () => {
    // Through the real API: two successes and one failure now, and a request.
    const tokens = await generate(h, admin, { count: 2, userId: nurse.id });
    for (const t of tokens) expect((await validate(nurse, t.token)).status).toBe(200);
    expect((await validate(nurse, '999999')).status).toBe(422);
    expect((await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 3 } })).status).toBe(201);
    const now = new Date();
    placed.push({ at: now, key: 'validated' }, { at: now, key: 'validated' }, { at: now, key: 'failed' }, { at: now, key: 'requested' });
    // And placed in the past, some near day boundaries of one zone or another.
    for (const [ago, action, outcome, key] of [
      ['90 minutes', 'token.validated', 'success', 'validated'],
      ['5 hours', 'token.validated', 'failure', 'failed'],
      ['23 hours 30 minutes', 'request.created', 'success', 'requested'],
      ['3 days', 'token.validated', 'success', 'validated'],
      ['3 days 7 hours', 'token.validated', 'success', 'validated'],
      ['12 days 20 hours', 'request.created', 'success', 'requested'],
      ['28 days', 'token.validated', 'failure', 'failed'],
    ] as const) {
      placed.push({ at: await eventAgo(action, outcome, ago), key });
    }
    // Outside every window, or not counted at all.
    await eventAgo('token.validated', 'success', '45 days');
    await eventAgo('auth.login', 'success', '1 hour');
    await eventAgo('token.generated', 'success', '2 days');
  });

  for (const tz of ['UTC', 'Asia/Jakarta', 'America/New_York', 'Asia/Kolkata']) {
    it(`per day, last 30 days, in ${tz}: each event counted once, in the day it happened there`, async () => {
      const res = await get(`/monitoring/activity?bucket=day&tz=${encodeURIComponent(tz)}`);
      expect(res.status).toBe(200);
      const points = res.body.points as Point[];
      expect(res.body).toMatchObject({ bucket: 'day', tz });
      expect(points).toHaveLength(30);
      // Buckets start at that zone's midnight, one day apart (23 or 25 hours across a DST change).
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      for (const p of points) expect(local.format(new Date(p.start))).toBe('00:00');
      for (let i = 1; i < points.length; i++) expect(Date.parse(points[i]!.start) - Date.parse(points[i - 1]!.start)).toBeGreaterThanOrEqual(23 * 3600_000);
      expect(Date.parse(points[29]!.start)).toBeLessThanOrEqual(Date.now());

      const expected = points.map(() => ({ validated: 0, failed: 0, requested: 0 }));
      for (const e of placed) {
        const i = bucketOf(points, e.at);
        if (i >= 0) expected[i]![e.key]++;
      }
      expect(points.map(({ validated, failed, requested }) => ({ validated, failed, requested }))).toEqual(expected);
      expect(expected.reduce((n, p) => n + p.validated + p.failed + p.requested, 0)).toBeGreaterThanOrEqual(10);
    });
  }

  it('per hour, last 24 hours: 24 buckets an hour apart, the last holding now', async () => {
    const res = await get('/monitoring/activity?bucket=hour&tz=Asia/Kolkata');
    expect(res.status).toBe(200);
    const points = res.body.points as Point[];
    expect(points).toHaveLength(24);
    for (let i = 1; i < points.length; i++) expect(Date.parse(points[i]!.start) - Date.parse(points[i - 1]!.start)).toBe(3600_000);
    // Kolkata is UTC+5:30: its hours start at half past in UTC.
    for (const p of points) expect(new Date(p.start).getUTCMinutes()).toBe(30);
    expect(Date.now() - Date.parse(points[23]!.start)).toBeLessThan(3600_000);
    const expected = points.map(() => ({ validated: 0, failed: 0, requested: 0 }));
    for (const e of placed) {
      const i = bucketOf(points, e.at);
      if (i >= 0) expected[i]![e.key]++;
    }
    expect(points.map(({ validated, failed, requested }) => ({ validated, failed, requested }))).toEqual(expected);
    expect(points[23]).toMatchObject({ validated: 2, failed: 1, requested: 1 });
  });

  it('counts events on either side of the rollup cutoff once, however often it is asked', async () => {
    // The last request rolled up to a few seconds before it, mid-slot: these land behind that cutoff
    // (back-dated into the slot it split), inside its margin, and after it (no actor: top users ignore them).
    for (const ago of ['20 minutes', '6 seconds', '1 second']) placed.push({ at: await eventAgo('token.validated', 'success', ago, null), key: 'validated' });
    for (const round of [1, 2, 3]) {
      const res = await get('/monitoring/activity?bucket=hour&tz=UTC');
      expect(res.status).toBe(200);
      const points = res.body.points as Point[];
      const expected = points.map(() => ({ validated: 0, failed: 0, requested: 0 }));
      for (const e of placed) {
        const i = bucketOf(points, e.at);
        if (i >= 0) expected[i]![e.key]++;
      }
      expect(
        points.map(({ validated, failed, requested }) => ({ validated, failed, requested })),
        `round ${round}`,
      ).toEqual(expected);
    }
  });

  it('an unknown time zone is 400 invalid_input naming tz; a malformed one too', async () => {
    for (const tz of ['Mars/Olympus_Mons', 'Asia/Jakarta;drop', '../../etc']) {
      const res = await get(`/monitoring/activity?tz=${encodeURIComponent(tz)}`);
      expectError(res, 400, 'invalid_input');
      expect(res.body.error.details).toHaveProperty('tz');
    }
    expectError(await get('/monitoring/activity?bucket=week'), 400, 'invalid_input');
  });
});

describe('top users', () => {
  it('ranks by successful validations in the window, then failures, with names', async () => {
    await eventAgo('token.validated', 'failure', '2 days', other.id);
    await eventAgo('token.validated', 'failure', '2 days', other.id);
    await eventAgo('token.validated', 'success', '40 days', other.id);
    const res = await get('/monitoring/top-users?days=30&limit=5');
    expect(res.status).toBe(200);
    expect(res.body.days).toBe(30);
    const [first, second] = res.body.items;
    const [counts] = await dbRows<{ v: number; f: number }>(
      h,
      sql`select count(*) filter (where outcome = 'success')::int as v, count(*) filter (where outcome = 'failure')::int as f
          from audit_events where action = 'token.validated' and actor_id = ${nurse.id} and at >= now() - interval '30 days'`,
    );
    expect(first).toEqual({ userId: nurse.id, name: 'Nurse Busy', username: nurse.username, validated: counts!.v, failed: counts!.f });
    // The old success is outside the window.
    expect(second).toEqual({ userId: other.id, name: 'Nurse Quiet', username: other.username, validated: 0, failed: 2 });
    expect((await get('/monitoring/top-users?limit=1')).body.items).toHaveLength(1);
    expectError(await get('/monitoring/top-users?limit=0'), 400, 'invalid_input');
    expectError(await get('/monitoring/top-users?days=365'), 400, 'invalid_input');
  });
});

describe('stock over time', () => {
  it('is today’s usable stock at the last point, and at each day’s end the tokens that were usable then', async () => {
    // Tokens with known lives: created, and left the stock (used, revoked, expired) at known instants.
    const lives: Array<{ created: string; status: string; used?: string; revoked?: string; expires: string }> = [
      { created: '40 days', status: 'available', expires: '-30 days' },
      { created: '10 days', status: 'available', expires: '-30 days' },
      { created: '10 days', status: 'used', used: '5 days', expires: '-30 days' },
      { created: '20 days', status: 'revoked', revoked: '2 days', expires: '-30 days' },
      { created: '20 days', status: 'expired', expires: '3 days' },
      // Past its expiry but not yet swept: no longer usable either.
      { created: '20 days', status: 'available', expires: '1 day' },
      { created: '50 days', status: 'used', used: '45 days', expires: '-30 days' },
      { created: '6 hours', status: 'available', expires: '-30 days' },
    ];
    for (const l of lives) {
      await h.runtime.ctx.db.execute(
        sql`insert into tokens (hash, length, status, user_id, created_at, used_at, used_by, revoked_at, expires_at)
            values (${randomBytes(16).toString('hex')}, 6, ${l.status}::token_status, ${other.id},
                    now() - ${l.created}::interval, now() - ${l.used ?? null}::interval, ${l.used ? other.id : null}::uuid,
                    now() - ${l.revoked ?? null}::interval, now() - ${l.expires}::interval)`,
      );
    }
    const all = await dbRows<{ created_at: Date; used_at: Date | null; revoked_at: Date | null; expires_at: Date; status: string }>(
      h,
      sql`select created_at, used_at, revoked_at, expires_at, status from tokens`,
    );
    const usableAt = (t: Date) =>
      all.filter(
        (k) =>
          new Date(k.created_at) <= t &&
          new Date(k.expires_at) > t &&
          !(k.used_at && new Date(k.used_at) <= t) &&
          !(k.revoked_at && new Date(k.revoked_at) <= t) &&
          !(k.status === 'used' && !k.used_at),
      ).length;

    for (const tz of ['UTC', 'Pacific/Auckland']) {
      const res = await get(`/monitoring/stock-history?tz=${encodeURIComponent(tz)}`);
      expect(res.status).toBe(200);
      const points = res.body.points as Array<{ at: string; available: number }>;
      expect(points).toHaveLength(30);
      const monitoring = await get('/monitoring');
      expect(points[29]!.available).toBe(monitoring.body.tokens.available);
      for (const p of points) expect(p.available, `${tz} ${p.at}`).toBe(usableAt(new Date(p.at)));
      // The model is not flat: the stock moved in the window.
      expect(new Set(points.map((p) => p.available)).size).toBeGreaterThan(2);
    }
  });

  it('is for admins only', async () => {
    expectError(await get('/monitoring/stock-history', nurse), 403, 'forbidden');
    expectError(await get('/monitoring/activity', nurse), 403, 'forbidden');
    expectError(await get('/monitoring/top-users', nurse), 403, 'forbidden');
  });
});

describe('the OpenAPI document', () => {
  it('describes the series with their query parameters', async () => {
    const doc = (await get('/openapi.json')).body;
    for (const p of ['/monitoring/activity', '/monitoring/top-users', '/monitoring/stock-history']) expect(doc.paths[p]?.get, p).toBeDefined();
    const names = (doc.paths['/monitoring/activity'].get.parameters as Array<{ name: string }>).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['bucket', 'tz']));
    expect(doc.components.schemas).toHaveProperty('ActivitySeries');
    expect(doc.components.schemas).toHaveProperty('StockHistory');
  });
});
