// SSE fed by LISTEN/NOTIFY: events arrive after commit, admins see all, staff only their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestUser } from '../helpers/harness';

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

  it("gives admins every event and staff only their own", async () => {
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
