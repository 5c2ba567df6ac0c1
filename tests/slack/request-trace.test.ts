// The request id (X-Request-Id) follows what a request hands on to Slack: it is stored on each outbox row
// the request queued (by the TypeScript enqueue and by the SQL of the validate and stock-check
// statements), and every Slack call made to deliver that row is logged with it.
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../db/schema';
import { generate } from '../helpers/harness';
import { isDmTo } from './fake-slack';
import { ADMIN_CHANNEL, startSlackHarness, type SlackHarness } from './harness';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness({}, { logger: pino({ level: 'info' }, sink) });
});
afterAll(() => s?.close());
afterEach(() => expect(s.fake.problems).toEqual([]));

const rowsOf = (kind: string) => s.h.runtime.ctx.db.select().from(outbox).where(eq(outbox.kind, kind));
const slackCallLines = (outboxId: number) => lines.filter((l) => l.msg === 'slack call for an outbox message' && l.outboxId === outboxId);

describe('request id into the outbox and the Slack delivery logs', () => {
  it('a request created over HTTP: its row carries the X-Request-Id, and its channel post is logged with it', async () => {
    const nurse = await s.slackUser('staff');
    const res = await s.h.http('POST', '/api/v1/token-requests', {
      cookie: nurse.cookie,
      headers: { 'x-request-id': 'trace-request-created-1' },
      body: { quantity: 3, reason: 'trace the request' },
    });
    expect(res.status).toBe(201);
    const [row] = (await rowsOf('request.created')).filter((r) => r.payload.requestId === res.body.request.id);
    expect(row?.requestId).toBe('trace-request-created-1');
    await s.settle();
    const calls = slackCallLines(row!.id);
    expect(calls.map((l) => l.slackMethod)).toContain('chat.postMessage');
    for (const l of calls) expect(l).toMatchObject({ requestId: 'trace-request-created-1', kind: 'request.created', httpStatus: 200 });
  });

  it('a validation: the grant notice and the low-stock DM (queued by SQL statements) carry the request id', async () => {
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    const [t] = await generate(s.h, admin, { count: 1, userId: nurse.id });
    await s.settle();
    const v = await s.h.http('POST', '/api/v1/tokens/validate', {
      cookie: nurse.cookie,
      headers: { 'x-request-id': 'trace-validate-2' },
      body: { token: t!.token, reason: 'trace the validation' },
    });
    expect(v.status).toBe(200);
    const [grantRow] = (await rowsOf('grant.opened')).filter((r) => r.payload.grantId === v.body.grant.id);
    const [lowRow] = (await rowsOf('stock.low')).filter((r) => r.payload.userId === nurse.id);
    expect(grantRow?.requestId).toBe('trace-validate-2');
    expect(lowRow?.requestId).toBe('trace-validate-2');
    await s.settle();
    expect(slackCallLines(grantRow!.id).filter((l) => l.slackMethod === 'chat.postMessage' && l.requestId === 'trace-validate-2')).toHaveLength(1);
    expect(slackCallLines(lowRow!.id).some((l) => l.slackMethod === 'chat.postMessage' && l.requestId === 'trace-validate-2')).toBe(true);
    expect(s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, nurse.ref.id)).length).toBeGreaterThan(0);
  });

  it("a refused call is logged with Slack's error code and the request id", async () => {
    const nurse = await s.slackUser('staff');
    s.fake.failNext('chat.postMessage', 'not_in_channel');
    const res = await s.h.http('POST', '/api/v1/token-requests', {
      cookie: nurse.cookie,
      headers: { 'x-request-id': 'trace-failure-3' },
      body: { quantity: 2, reason: 'trace a failure' },
    });
    expect(res.status).toBe(201);
    const [row] = (await rowsOf('request.created')).filter((r) => r.payload.requestId === res.body.request.id);
    await s.settle();
    expect(slackCallLines(row!.id)[0]).toMatchObject({
      requestId: 'trace-failure-3',
      slackMethod: 'chat.postMessage',
      httpStatus: 200,
      slackError: 'not_in_channel',
    });
  });

  it('a row no request queued (the bot, the sweep) is logged with a null request id', async () => {
    const nurse = await s.slackUser('staff');
    const [row] = await s.h.runtime.ctx.db
      .insert(outbox)
      .values({ kind: 'lockout', payload: { userId: nurse.id, lockedUntil: new Date(Date.now() + 60_000).toISOString() } })
      .returning();
    await s.settle();
    expect(slackCallLines(row!.id)).toEqual([expect.objectContaining({ requestId: null, slackMethod: 'chat.postMessage', httpStatus: 200 })]);
    expect(s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL).length).toBeGreaterThan(0);
  });
});
