// Background work: the outbox delivers each message once even with several workers racing and after
// failures; the expiry sweep expires tokens and requests once; the low-stock alert fires once per crossing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { deliverDue, retryNow, type Destination } from '../../api/domain/outbox';
import { sweepExpired } from '../../api/domain/sweep';
import { generate, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;

beforeAll(async () => {
  // Slack settings switch the outbox on; no bot is built, so nothing else consumes it.
  h = await startHarness({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_ADMIN_CHANNEL: 'CADMIN' });
  admin = await h.user('admin');
});
afterAll(() => h?.close());

const pendingOutbox = async () => (await rows<{ n: number }>(h.runtime.ctx.db, sql`select count(*)::int as n from outbox where status = 'pending'`))[0]!.n;
/** A destination that delivers with `send` and calls every failure transient. */
const slack = (send: Destination['deliver']) => ({
  slack: { deliver: send, classify: (err: unknown) => ({ kind: 'transient' as const, reason: String(err) }) },
});

describe('outbox', () => {
  it('delivers every message exactly once with racing workers, and retries failures later', async () => {
    await deliverDue(
      h.runtime.ctx,
      slack(async () => {}),
    ); // drain what earlier setup wrote
    const nurse = await h.user('staff');
    for (let i = 0; i < 8; i++) {
      expect((await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 1 + i } })).status).toBe(201);
    }
    expect(await pendingOutbox()).toBe(8);

    let fail = true;
    const failing = slack(async () => {
      if (fail) throw new Error('slack is down');
    });
    expect(await deliverDue(h.runtime.ctx, failing)).toBe(0);
    expect(await pendingOutbox()).toBe(8);
    const [row] = await rows<{ attempts: number; last_error: string }>(
      h.runtime.ctx.db,
      sql`select attempts, last_error from outbox where status = 'pending' order by id limit 1`,
    );
    expect(row).toMatchObject({ attempts: 1, last_error: 'slack is down' });
    // Backed off: not due again yet.
    fail = false;
    expect(await deliverDue(h.runtime.ctx, failing)).toBe(0);

    await retryNow(h.runtime.ctx);
    const delivered: number[] = [];
    const recording = slack(async (d) => {
      delivered.push(d.row.id);
    });
    const counts = await Promise.all([deliverDue(h.runtime.ctx, recording), deliverDue(h.runtime.ctx, recording), deliverDue(h.runtime.ctx, recording)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(8);
    expect(new Set(delivered).size).toBe(8);
    expect(delivered).toHaveLength(8);
    expect(await pendingOutbox()).toBe(0);
  });

  it('writes no message when the change rolls back', async () => {
    const nurse = await h.user('staff');
    const before = await pendingOutbox();
    const res = await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 0 } });
    expect(res.status).toBe(400);
    expect(await pendingOutbox()).toBe(before);
  });
});

describe('expiry sweep', () => {
  it('expires overdue tokens and pending requests once, with audit events', async () => {
    const nurse = await h.user('staff');
    const tokens = await generate(h, admin, { count: 3, userId: nurse.id });
    const req = await h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 2 } });
    const ids = tokens.map((t) => t.id);
    await h.runtime.ctx.db.execute(
      sql`update tokens set expires_at = now() - interval '1 minute' where id in (${sql.join(
        ids.map((i) => sql`${i}::uuid`),
        sql`, `,
      )})`,
    );
    await h.runtime.ctx.db.execute(sql`update token_requests set expires_at = now() - interval '1 minute' where id = ${req.body.request.id}`);

    const [first, second] = await Promise.all([sweepExpired(h.runtime.ctx), sweepExpired(h.runtime.ctx)]);
    const total = { tokens: first.tokens + second.tokens, requests: first.requests + second.requests };
    expect(total.tokens).toBeGreaterThanOrEqual(3);
    expect(total.requests).toBeGreaterThanOrEqual(1);
    const statuses = await rows<{ status: string }>(
      h.runtime.ctx.db,
      sql`select status from tokens where id in (${sql.join(
        ids.map((i) => sql`${i}::uuid`),
        sql`, `,
      )})`,
    );
    expect(statuses.every((s) => s.status === 'expired')).toBe(true);
    const audits = await rows<{ n: number }>(
      h.runtime.ctx.db,
      sql`select count(*)::int as n from audit_events where action = 'token.expired' and token_id in (${sql.join(
        ids.map((i) => sql`${i}::uuid`),
        sql`, `,
      )})`,
    );
    expect(audits[0]!.n).toBe(3);
    const list = await h.http('GET', `/api/v1/token-requests?status=expired`, { cookie: nurse.cookie });
    expect(list.body.items.map((r: { id: string }) => r.id)).toContain(req.body.request.id);
    const decide = await h.http('POST', `/api/v1/token-requests/${req.body.request.id}/approve`, { cookie: admin.cookie, body: {} });
    expect(decide.status).toBe(409);
    expect(decide.body.error.code).toBe('already_decided');
  });
});

describe('low-stock alert', () => {
  it('fires once when stock drops below the threshold, and re-arms after a top-up', async () => {
    const nurse = await h.user('staff');
    const tokens = await generate(h, admin, { count: 5, userId: nurse.id });
    const alerts = async () =>
      (
        await rows<{ n: number }>(h.runtime.ctx.db, sql`select count(*)::int as n from outbox where kind = 'stock.low' and payload->>'userId' = ${nurse.id}`)
      )[0]!.n;
    expect(await alerts()).toBe(0);
    const use = async (token: string) =>
      expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token, reason: 'resus bay 2' } })).status).toBe(200);
    await use(tokens[0]!.token); // 5 -> 4
    expect(await alerts()).toBe(1);
    await use(tokens[1]!.token); // 4 -> 3
    expect(await alerts()).toBe(1);
    await generate(h, admin, { count: 2, userId: nurse.id }); // 3 -> 5: re-armed
    await use(tokens[2]!.token); // 5 -> 4
    expect(await alerts()).toBe(2);
  });
});
