// SSE fed by LISTEN/NOTIFY: events arrive after commit, admins see all, staff only their own; streams end
// with their session, a session keeps a few streams, and a lost listener connection is announced.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STREAMS_PER_SESSION } from '../../api/http/sse';
import { dbRows, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
let other: TestUser;

beforeAll(async () => {
  h = await startHarness();
  [admin, nurse, other] = await Promise.all([h.user('admin'), h.user('staff'), h.user('staff')]);
});
afterAll(() => h?.close());

/** Open the stream and collect parsed events until `until` is satisfied (bounded by a deadline). */
async function collect(cookie: string, act: () => Promise<void>, until: (events: Array<{ event: string; data: any }>) => boolean) {
  const controller = new AbortController();
  const res = await h.runtime.app.request('/api/v1/events', { headers: { cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ event: string; data: any }> = [];
  let buffer = '';
  let acted = false;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event) events.push({ event, data: data ? JSON.parse(data) : null });
    }
    // Act only once the stream is open (the 'ready' event), so nothing is missed.
    if (!acted && events.some((e) => e.event === 'ready')) {
      acted = true;
      await act();
    }
  }
  controller.abort();
  await reader.cancel().catch(() => {});
  return events;
}

describe('GET /events', () => {
  it('requires sign-in', async () => {
    expect((await h.http('GET', '/api/v1/events')).status).toBe(401);
  });

  it('gives admins every event and staff only their own', async () => {
    const createBoth = async () => {
      expect((await h.http('POST', '/api/v1/token-requests', { cookie: other.cookie, body: { quantity: 2 } })).status).toBe(201);
      expect((await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 3 } })).status).toBe(201);
    };
    const staffEvents = await collect(nurse.cookie, createBoth, (ev) => ev.some((e) => e.event === 'request.created'));
    const created = staffEvents.filter((e) => e.event === 'request.created');
    expect(created).toHaveLength(1);
    expect(created[0]!.data.userId).toBe(nurse.id);

    const adminEvents = await collect(admin.cookie, createBoth, (ev) => ev.filter((e) => e.event === 'request.created').length >= 2);
    expect(new Set(adminEvents.filter((e) => e.event === 'request.created').map((e) => e.data.userId))).toEqual(new Set([nurse.id, other.id]));
  });
});

interface OpenStream {
  events: Array<{ event: string; data: any }>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Waits (bounded) until an event matches. */
  waitFor(pred: (e: { event: string; data: any }) => boolean): Promise<{ event: string; data: any }>;
  close(): void;
}

/** An open stream read in the background; `ready` has arrived when it resolves. */
async function openStream(cookie: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await h.runtime.app.request('/api/v1/events', { headers: { cookie }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ event: string; data: any }> = [];
  const waiters = new Set<() => void>();
  const ended = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: data ? JSON.parse(data) : null });
      }
      for (const w of waiters) w();
    }
    for (const w of waiters) w();
  })();
  let done = false;
  void ended.then(() => (done = true));
  const waitFor = async (pred: (e: { event: string; data: any }) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (done || Date.now() > deadline) throw new Error(`no such event; got ${JSON.stringify(events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => {
        waiters.add(resolve);
        setTimeout(resolve, 250).unref();
      }).finally(() => waiters.clear());
    }
  };
  await waitFor((e) => e.event === 'ready');
  return { events, ended, waitFor, close: () => controller.abort() };
}

/** The stream ends (bounded wait) and its last event says why. */
async function expectEnded(s: OpenStream, reason: string) {
  await Promise.race([
    s.ended,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`stream did not end; got ${JSON.stringify(s.events.map((e) => e.event))}`)), 15_000).unref()),
  ]);
  expect(s.events.at(-1)).toEqual({ event: 'end', data: { reason } });
}

describe('streams follow their session', () => {
  it('logout ends the stream of that session (and only that one)', async () => {
    const nurse = await h.user('staff');
    const other = await h.user('staff');
    const mine = await openStream(nurse.cookie);
    const theirs = await openStream(other.cookie);
    expect((await h.http('POST', '/api/v1/auth/logout', { cookie: nurse.cookie })).status).toBe(204);
    await expectEnded(mine, 'signed_out');
    // The other user's stream still delivers.
    expect((await h.http('POST', '/api/v1/token-requests', { cookie: other.cookie, body: { quantity: 1 } })).status).toBe(201);
    await theirs.waitFor((e) => e.event === 'request.created');
    theirs.close();
  });

  it('deactivation, a new password and a role change end the streams', async () => {
    const [a, b, c] = await Promise.all([h.user('admin'), h.user('staff'), h.user('staff')]);
    const super_ = await h.user('super_admin');
    const streams = await Promise.all([openStream(a.cookie), openStream(b.cookie), openStream(c.cookie)]);
    // An ex-admin must not keep receiving everyone's events.
    expect((await h.http('PATCH', `/api/v1/users/${a.id}`, { cookie: super_.cookie, body: { role: 'staff' } })).status).toBe(200);
    expect((await h.http('PATCH', `/api/v1/users/${b.id}`, { cookie: super_.cookie, body: { active: false } })).status).toBe(200);
    expect((await h.http('PATCH', `/api/v1/users/${c.id}`, { cookie: super_.cookie, body: { password: 'a-brand-new-password' } })).status).toBe(200);
    for (const s of streams) await expectEnded(s, 'signed_out');
  });

  it('sign out everywhere ends every stream of every session of that user', async () => {
    const nurse = await h.user('staff');
    const login = await h.http('POST', '/api/v1/auth/login', { body: { username: nurse.username, password: nurse.password } });
    const second = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const [a, b] = await Promise.all([openStream(nurse.cookie), openStream(second)]);
    expect((await h.http('POST', '/api/v1/auth/logout-everywhere', { cookie: nurse.cookie })).status).toBeLessThan(300);
    await expectEnded(a, 'signed_out');
    await expectEnded(b, 'signed_out');
  });

  it('any other way a session stops being valid (revoked or expired in the database) ends it too', async () => {
    const [a, b] = await Promise.all([h.user('staff'), h.user('staff')]);
    const [sa, sb] = await Promise.all([openStream(a.cookie), openStream(b.cookie)]);
    await dbRows(h, sql`update sessions set revoked_at = now() where user_id = ${a.id}`);
    await expectEnded(sa, 'signed_out');
    await dbRows(h, sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${b.id}`);
    await expectEnded(sb, 'signed_out');
  });

  it(`a session keeps at most ${MAX_STREAMS_PER_SESSION} streams: a new one ends the oldest`, async () => {
    const nurse = await h.user('staff');
    const streams: OpenStream[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) streams.push(await openStream(nurse.cookie));
    const newest = await openStream(nurse.cookie);
    await expectEnded(streams[0]!, 'replaced');
    expect(streams[0]!.events.find((e) => e.event === 'end')).toBeDefined();
    // The others still deliver.
    expect((await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 1 } })).status).toBe(201);
    for (const s of [...streams.slice(1), newest]) {
      await s.waitFor((e) => e.event === 'request.created');
      s.close();
    }
  });

  it('the event listener connection lost and back: open streams are told to refetch (resume) and events flow again', async () => {
    if (!h.db.url) return; // PGlite listens in-process: there is no connection to lose
    const admin2 = await h.user('admin');
    const s = await openStream(admin2.cookie);
    const killer = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await killer.connect();
    try {
      const { rows: killed } = await killer.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query ilike 'listen%'`, [
        new URL(h.db.url).pathname.slice(1),
      ]);
      expect(killed.length).toBeGreaterThan(0);
    } finally {
      await killer.end();
    }
    await s.waitFor((e) => e.event === 'resume');
    expect((await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 1 } })).status).toBe(201);
    await s.waitFor((e) => e.event === 'request.created' && e.data.userId === nurse.id);
    s.close();
  });
});
