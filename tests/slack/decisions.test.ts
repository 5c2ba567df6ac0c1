// Admin decisions from Slack buttons and from the API, their channel-message updates and requester DMs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { sweepExpired } from '../../api/domain/sweep';
import type { SlackCall } from './fake-slack';
import { ADMIN_CHANNEL, allText, buttons, retryNow, startSlackHarness, tokensIn, type SlackHarness } from './harness';
import { isDmTo } from './fake-slack';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness();
});
afterAll(() => s?.close());
// Every payload the bot sent in the test fits Slack's Block Kit limits (the fake checks each one).
afterEach(() => expect(s.fake.problems).toEqual([]));

/** A request made by `nurse` through the API, posted to the admin channel; returns its id and message. */
async function pendingRequest(nurse: Awaited<ReturnType<SlackHarness['slackUser']>>, quantity = 3, reason = 'ward 7 nights') {
  const res = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity, reason } });
  expect(res.status).toBe(201);
  const id: string = res.body.request.id;
  await s.settle();
  const post = s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && buttons(c.body).some((b) => b.value === id))[0];
  expect(post, 'the request is posted to the admin channel').toBeDefined();
  return { id, ts: post!.result.ts as string, post: post! };
}

const updatesOf = (ts: string) => s.fake.callsTo('chat.update', (c) => c.body.ts === ts);
const dmsTo = (slackUserId: string) => s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, slackUserId));
/** The DMs about a request's outcome (low-stock alerts may arrive beside them: 3 tokens is under 5). */
const outcomeDmsTo = (slackUserId: string) => dmsTo(slackUserId).filter((c) => /request for/i.test(String(c.body.text)));

describe('approve by button', () => {
  it('updates the channel message without buttons and DMs the requester tokens that validate', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const { id, ts } = await pendingRequest(nurse, 3);

    const click = await s.slack.action(admin.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts });
    expect(click.status).toBe(200);
    await s.settle();

    const [update, ...more] = updatesOf(ts);
    expect(more).toHaveLength(0);
    expect(update!.body.channel).toBe(ADMIN_CHANNEL);
    expect(buttons(update!.body)).toHaveLength(0);
    expect(allText(update!.body)).toMatch(/Approved/);
    expect(allText(update!.body)).toContain(`<@${admin.ref.id}>`);

    const dms = outcomeDmsTo(nurse.ref.id);
    expect(dms).toHaveLength(1);
    expect(allText(dms[0]!.body)).toMatch(/approved/);
    expect(dms[0]!.body.text).not.toMatch(/\d{6}/); // no plaintext in the notification text
    const tokens = tokensIn(dms[0]);
    expect(tokens).toHaveLength(3);
    for (const t of tokens) expect(t).toMatch(/^\d{6}$/);

    const ok = await s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: tokens[0], reason: 'arrest in bay 3' } });
    expect(ok.status).toBe(200);
    // Delivered once: a later tokens.deliver for the same user finds nothing sealed.
    await s.settle();
    expect(dmsTo(nurse.ref.id).filter((c) => tokensIn(c).length > 0)).toHaveLength(1);
    expect(s.fake.problems).toEqual([]);
  });

  it('lets exactly one of two simultaneous approvals win', async () => {
    const nurse = await s.slackUser('staff');
    const [a1, a2] = [await s.slackUser('admin'), await s.slackUser('admin')];
    const { id, ts } = await pendingRequest(nurse, 2);
    const [c1, c2] = await Promise.all([
      s.slack.action(a1.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts }),
      s.slack.action(a2.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts }),
    ]);
    await s.settle();
    const replies = [...c1.replies(), ...c2.replies()];
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body.response_type).toBe('ephemeral');
    expect(replies[0]!.body.replace_original).toBe(false);
    expect(allText(replies[0]!.body)).toMatch(/already decided/);
    const mine = await s.h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie });
    expect(mine.body.available).toBe(2);
    expect(updatesOf(ts)).toHaveLength(1);
    expect(outcomeDmsTo(nurse.ref.id)).toHaveLength(1);
  });
});

describe('reject', () => {
  it('opens a modal for the reason, rejects, updates the message and tells the requester why', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const { id, ts } = await pendingRequest(nurse, 4);
    const click = await s.slack.action(admin.ref, { actionId: 'request_reject', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts });
    await s.bot.idle();
    expect(click.replies()).toHaveLength(0);
    const open = await s.fake.waitForCall('views.open', (c) => c.body.view?.callback_id === 'reject_modal' && c.body.view.private_metadata.includes(id));

    // Too short a reason is refused on the field and changes nothing.
    const short = await s.slack.submit(admin.ref, open.body.view, { reject_reason: { value: 'no' } });
    expect(JSON.parse(short.text)).toMatchObject({ response_action: 'errors', errors: { reject_reason: expect.any(String) } });
    await s.settle();
    expect(updatesOf(ts)).toHaveLength(0);

    const ok = await s.slack.submit(admin.ref, open.body.view, { reject_reason: { value: 'Stock is fine, see the ward lead' } });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    await s.settle();
    const [update] = updatesOf(ts);
    expect(buttons(update!.body)).toHaveLength(0);
    expect(allText(update!.body)).toMatch(/Rejected/);
    expect(allText(update!.body)).toContain('Stock is fine, see the ward lead');
    const [dm] = outcomeDmsTo(nurse.ref.id);
    expect(allText(dm!.body)).toMatch(/rejected/);
    expect(allText(dm!.body)).toContain('Stock is fine, see the ward lead');
    const r = await s.h.http('GET', `/api/v1/token-requests?status=rejected`, { cookie: admin.cookie });
    expect(r.body.items.find((x: { id: string }) => x.id === id)).toMatchObject({ status: 'rejected', decisionNote: 'Stock is fine, see the ward lead' });
  });
});

describe('refusals', () => {
  it('answers a non-admin click ephemerally, changes nothing, and audits the attempt', async () => {
    const nurse = await s.slackUser('staff');
    const other = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const { id, ts } = await pendingRequest(nurse, 1);
    for (const actionId of ['request_approve', 'request_approve_note', 'request_reject']) {
      const click = await s.slack.action(other.ref, { actionId, value: id }, { channel: ADMIN_CHANNEL, messageTs: ts });
      const reply = await click.reply();
      expect(reply.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(allText(reply.body)).toMatch(/Only admins/);
    }
    await s.settle();
    expect(updatesOf(ts)).toHaveLength(0);
    expect(s.fake.callsTo('views.open', (c) => String(c.body.view?.private_metadata ?? '').includes(id))).toHaveLength(0);
    const req = await s.h.http('GET', `/api/v1/token-requests?status=pending`, { cookie: admin.cookie });
    expect(req.body.items.some((x: { id: string }) => x.id === id)).toBe(true);
    const audit = await s.h.http('GET', `/api/v1/audit?userId=${other.id}&outcome=failure`, { cookie: (await s.h.user('super_admin')).cookie });
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['request.approved', 'request.approved', 'request.rejected']);
    expect(audit.body.items.every((e: { requestId: string }) => e.requestId === id)).toBe(true);
  });

  it('refuses self-approval and clicks on decided requests', async () => {
    const adminA = await s.slackUser('admin');
    const adminB = await s.slackUser('admin');
    const { id, ts } = await pendingRequest(adminA, 2);
    const self = await (await s.slack.action(adminA.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts })).reply();
    expect(allText(self.body)).toMatch(/own request/);
    const selfReject = await (await s.slack.action(adminA.ref, { actionId: 'request_reject', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts })).reply();
    expect(allText(selfReject.body)).toMatch(/own request/);

    await s.slack.action(adminB.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts });
    await s.settle();
    const late = await (await s.slack.action(adminB.ref, { actionId: 'request_reject', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts })).reply();
    expect(allText(late.body)).toMatch(/already decided/);
    expect(allText(late.body)).toMatch(/Approved/);
    await s.settle();
    expect(updatesOf(ts)).toHaveLength(1);
  });
});

describe('decisions made elsewhere', () => {
  it('updates the Slack message when the API decides', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const { id, ts } = await pendingRequest(nurse, 5);
    const res = await s.h.http('POST', `/api/v1/token-requests/${id}/approve`, { cookie: admin.cookie, body: {} });
    expect(res.status).toBe(200);
    await s.settle();
    const [update] = updatesOf(ts);
    expect(buttons(update!.body)).toHaveLength(0);
    expect(allText(update!.body)).toMatch(/Approved/);
    expect(tokensIn(outcomeDmsTo(nurse.ref.id)[0])).toHaveLength(5);
  });

  it('delivers the update exactly once after a Slack outage', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const { id, ts } = await pendingRequest(nurse, 2);
    await s.fake.stop();
    const res = await s.h.http('POST', `/api/v1/token-requests/${id}/approve`, { cookie: admin.cookie, body: {} });
    expect(res.status).toBe(200);
    s.outboxErrors.length = 0;
    await s.drain();
    expect(s.outboxErrors.length).toBeGreaterThan(0); // Slack was down: delivery failed and will be retried
    expect(updatesOf(ts)).toHaveLength(0);

    await s.fake.start();
    await retryNow(s.h.runtime.ctx);
    await s.drain();
    await retryNow(s.h.runtime.ctx);
    await s.drain();
    const updates: SlackCall[] = updatesOf(ts);
    expect(updates).toHaveLength(1);
    expect(allText(updates[0]!.body)).toMatch(/Approved/);
    expect(dmsTo(nurse.ref.id).filter((c) => tokensIn(c).length === 2)).toHaveLength(1);
  });
});

describe('expiry', () => {
  it('shows an expired request as expired, tells the requester, and refuses late clicks', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const { id, ts } = await pendingRequest(nurse, 2);
    await s.h.runtime.ctx.db.execute(sql`update token_requests set expires_at = now() - interval '1 minute' where id = ${id}`);
    const late = await (await s.slack.action(admin.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts })).reply();
    expect(allText(late.body)).toMatch(/Expired/);
    await sweepExpired(s.h.runtime.ctx);
    await s.settle();
    const [update] = updatesOf(ts);
    expect(buttons(update!.body)).toHaveLength(0);
    expect(allText(update!.body)).toMatch(/Expired/);
    expect(allText(outcomeDmsTo(nurse.ref.id)[0]?.body)).toMatch(/expired/);
  });
});
