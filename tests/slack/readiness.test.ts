// /readyz reads the outbox worker's real state: when it last did its job, what waits and for how long,
// the dead letters, a Retry-After pause; the part is down while the worker is stopped, failing, stuck, or
// leaving due messages unclaimed, and never makes the instance unready. The body matches the document.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { outboxState, WORKER_STALE_SECONDS, DUE_STALE_SECONDS, type WorkerStatus } from '../../api/domain/outbox';
import { ReadinessSchema } from '../../api/routes/readiness';
import { ADMIN_CHANNEL, startSlackHarness, type SlackHarness } from './harness';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const healthy: WorkerStatus = {
  running: true,
  inFlight: 0,
  paused: {},
  lastSuccessAt: new Date(NOW - 1000).toISOString(),
  lastDeliveredAt: null,
  lastError: null,
  lastErrorAt: null,
};

describe('outboxState: the outbox part from the worker and what waits', () => {
  it('up while the worker does its job and nothing due waits long', () => {
    expect(outboxState(healthy, { oldestDueSeconds: null }, 'slack', NOW)).toBe('up');
    expect(outboxState(healthy, { oldestDueSeconds: DUE_STALE_SECONDS }, 'slack', NOW)).toBe('up');
    // Before its first step has finished.
    expect(outboxState({ ...healthy, lastSuccessAt: null }, undefined, 'slack', NOW)).toBe('up');
  });
  it('down when stopped, failing, stuck, or leaving due messages unclaimed', () => {
    expect(outboxState({ ...healthy, running: false }, undefined, 'slack', NOW)).toBe('down');
    expect(outboxState({ ...healthy, lastError: 'Connection terminated', lastErrorAt: new Date(NOW).toISOString() }, undefined, 'slack', NOW)).toBe('down');
    expect(outboxState({ ...healthy, lastSuccessAt: new Date(NOW - (WORKER_STALE_SECONDS + 1) * 1000).toISOString() }, undefined, 'slack', NOW)).toBe('down');
    expect(outboxState(healthy, { oldestDueSeconds: DUE_STALE_SECONDS + 1 }, 'slack', NOW)).toBe('down');
  });
  it('a destination paused by Slack (Retry-After, revoked) is not the worker falling behind', () => {
    const paused = { ...healthy, paused: { slack: { reason: 'ratelimited', until: new Date(NOW + 30_000).toISOString() } } };
    expect(outboxState(paused, { oldestDueSeconds: DUE_STALE_SECONDS + 100 }, 'slack', NOW)).toBe('up');
  });
});

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness({}, { background: true });
});
afterAll(() => s?.close());
afterEach(() => {
  s.fake.clearFaults();
  expect(s.fake.problems).toEqual([]);
});

const readyz = async () => {
  const res = await s.h.http('GET', '/readyz');
  expect(res.status).toBe(200);
  // The served body is what the OpenAPI document says, nothing more.
  ReadinessSchema.strict().parse(res.body);
  return res.body as ReturnType<typeof ReadinessSchema.parse>;
};
/** Polls /readyz (bounded) until `check` holds for its body, and returns that body. */
async function readyzWhen(what: string, check: (body: Awaited<ReturnType<typeof readyz>>) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const body = await readyz();
    if (check(body)) return body;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/readyz with the outbox worker running', () => {
  it('says the worker is up, when it last did its job and last delivered, and what waits', async () => {
    const nurse = await s.slackUser('staff');
    expect((await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 2, reason: 'readiness' } })).status).toBe(201);
    await s.fake.waitForCall('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL, 30_000);
    const body = await readyzWhen('the post recorded as delivered', (b) => b.outbox?.worker?.lastDeliveredAt != null);
    expect(body.parts).toMatchObject({ database: 'up', outbox: 'up', slack: 'up' });
    expect(body.outbox).toMatchObject({ dead: 0, worker: { state: 'up', running: true, pausedUntil: null, lastError: null } });
    expect(Date.parse(body.outbox!.worker!.lastSuccessAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a Retry-After pauses the worker: /readyz says until when, what waits, and the part stays up', async () => {
    const nurse = await s.slackUser('staff');
    s.fake.script('chat.postMessage', { retryAfter: 30 }, { when: (b) => b.channel === ADMIN_CHANNEL });
    expect((await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 3, reason: 'rate limited' } })).status).toBe(201);
    const body = await readyzWhen('the pause', (b) => b.outbox?.worker?.pausedUntil != null);
    expect(Date.parse(body.outbox!.worker!.pausedUntil!)).toBeGreaterThan(Date.now() + 20_000);
    expect(body.outbox!.pending).toBeGreaterThan(0);
    expect(body.parts.outbox).toBe('up');
    expect(body.status).toBe('ready');
  });

  it('counts dead letters, which need an admin but do not make the worker down', async () => {
    await s.h.runtime.ctx.db.execute(
      (await import('drizzle-orm'))
        .sql`insert into outbox (kind, payload, status, dead_at, dead_reason, attempts) values ('lockout', '{}', 'dead', now(), 'not_in_channel', 3)`,
    );
    const body = await readyz();
    expect(body.outbox!.dead).toBeGreaterThanOrEqual(1);
    expect(body.parts.outbox).toBe('up');
  });

  it('a stopped worker is down in /readyz; the instance stays ready', async () => {
    await s.h.runtime.worker()!.stop();
    const body = await readyz();
    expect(body.parts.outbox).toBe('down');
    expect(body.outbox!.worker).toMatchObject({ state: 'down', running: false });
    expect(body.status).toBe('ready');
  });
});
