// Chat-ops admins expect: each request message carries its id and a link to the web app, and a thread
// with the decision trail (who, note or reason, refused attempts), reminders while pending and a last
// call before expiry; on expiry the message says "Expired, no decision" and the requester is told; the
// requester's DM links to the channel message; break-the-glass notices link to the grant in the web app.
// (Every payload is also checked for accessibility_label on each button and no empty value.)
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../api/domain/sweep';
import { generate } from '../helpers/harness';
import { isDmTo, type SlackCall } from './fake-slack';
import { ADMIN_CHANNEL, allText, buttons, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness({ REQUEST_REMINDER_HOURS: '1,24', REQUEST_LAST_CALL_MINUTES: '60' });
});
afterAll(() => s?.close());
afterEach(() => expect(s.fake.problems).toEqual([]));

async function posted(nurse: { cookie: string }, quantity = 3) {
  const res = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity, reason: 'ward 9' } });
  const id: string = res.body.request.id;
  await s.settle();
  const post = s.fake.callsTo(
    'chat.postMessage',
    (c) => c.body.channel === ADMIN_CHANNEL && !c.body.thread_ts && buttons(c.body).some((b) => b.value === id),
  )[0]!;
  return { id, ts: post.result.ts as string, post };
}
const thread = (ts: string) => s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && c.body.thread_ts === ts && !c.fault);
const threadText = (ts: string) => thread(ts).map((c) => allText(c.body));
const age = (id: string, interval: string) =>
  s.h.runtime.ctx.db.execute(sql`update token_requests set created_at = now() - ${interval}::interval where id = ${id}`);

describe('the request message', () => {
  it('carries the request id and a link to it in the web app', async () => {
    const nurse = await s.slackUser('staff');
    const { id, post } = await posted(nurse);
    expect(allText(post.body)).toContain(id);
    expect(allText(post.body)).toContain(`${s.h.config.publicUrl}/admin/requests?id=${id}`);
  });
});

describe('the decision thread', () => {
  it('records refused attempts, then who approved with their note; the DM links to the channel message', async () => {
    const nurse = await s.slackUser('staff');
    const other = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const { id, ts } = await posted(nurse);

    await (await s.slack.action(other.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts })).reply();
    await s.settle();
    expect(threadText(ts)).toEqual([
      expect.stringMatching(new RegExp(`<@${other.ref.id}> tried to approve this request and was refused: they are not an admin`)),
    ]);

    // Approve with note: the modal, then the thread and the requester's DM carry the note.
    await s.slack.action(admin.ref, { actionId: 'request_approve_note', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts });
    const open = await s.fake.waitForCall(
      'views.open',
      (c) => c.body.view?.callback_id === 'approve_modal' && String(c.body.view.private_metadata).includes(id),
    );
    const long = await s.slack.submit(admin.ref, open.body.view, { approve_note: { value: 'x'.repeat(501) } });
    expect(JSON.parse(long.text)).toMatchObject({ response_action: 'errors', errors: { approve_note: expect.any(String) } });
    const ok = await s.slack.submit(admin.ref, open.body.view, { approve_note: { value: 'Cover the weekend too' } });
    expect(ok.text).toBe('');
    await s.settle();
    const lines = threadText(ts);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`Approved by <@${admin.ref.id}>`);
    expect(lines[1]).toContain('Cover the weekend too');
    const update = s.fake.callsTo('chat.update', (c) => c.body.ts === ts).at(-1)!;
    expect(allText(update.body)).toContain('Cover the weekend too');

    const dm = s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && /approved/.test(allText(c.body)))[0]!;
    expect(allText(dm.body)).toContain('Cover the weekend too');
    expect(allText(dm.body)).toContain(`https://fake.slack.test/archives/${ADMIN_CHANNEL}/p${ts.replace('.', '')}`);
  });

  it('records a rejection with its reason, and an admin refused on their own request', async () => {
    const adminA = await s.slackUser('admin');
    const adminB = await s.slackUser('admin');
    const { id, ts } = await posted(adminA);
    await (await s.slack.action(adminA.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: ts })).reply();
    expect((await s.h.http('POST', `/api/v1/token-requests/${id}/reject`, { cookie: adminB.cookie, body: { reason: 'Plenty left on the ward' } })).status).toBe(
      200,
    );
    await s.settle();
    const lines = threadText(ts);
    expect(lines[0]).toMatch(/tried to approve this request and was refused: it is their own request/);
    expect(lines[1]).toMatch(new RegExp(`Rejected by <@${adminB.ref.id}>\\. Reason: Plenty left on the ward`));
  });
});

describe('reminders, last call and expiry', () => {
  it('reminds at each configured age, once each, gives a last call, then expires with the requester told', async () => {
    const nurse = await s.slackUser('staff');
    const { id, ts } = await posted(nurse);
    await sweepExpired(s.h.runtime.ctx);
    await s.settle();
    expect(thread(ts)).toHaveLength(0);

    await age(id, '2 hours');
    await sweepExpired(s.h.runtime.ctx);
    await sweepExpired(s.h.runtime.ctx);
    await s.settle();
    expect(threadText(ts)).toEqual([expect.stringMatching(/Still waiting for a decision/)]);

    await age(id, '25 hours');
    await sweepExpired(s.h.runtime.ctx);
    await s.settle();
    expect(threadText(ts)).toHaveLength(2);

    await s.h.runtime.ctx.db.execute(sql`update token_requests set expires_at = now() + interval '30 minutes' where id = ${id}`);
    await sweepExpired(s.h.runtime.ctx);
    await sweepExpired(s.h.runtime.ctx);
    await s.settle();
    expect(threadText(ts)[2]).toMatch(/Last call: this request expires/);
    expect(threadText(ts)).toHaveLength(3);

    await s.h.runtime.ctx.db.execute(sql`update token_requests set expires_at = now() - interval '1 minute' where id = ${id}`);
    await sweepExpired(s.h.runtime.ctx);
    await s.settle();
    const update = s.fake.callsTo('chat.update', (c) => c.body.ts === ts).at(-1)!;
    expect(allText(update.body)).toMatch(/Expired, no decision/);
    expect(buttons(update.body)).toHaveLength(0);
    expect(threadText(ts)[3]).toMatch(new RegExp(`Expired, no decision. <@${nurse.ref.id}> has been told`));
    const dm = s.fake.callsTo('chat.postMessage', (c: SlackCall) => isDmTo(c, nurse.ref.id) && /expired without a decision/.test(allText(c.body)));
    expect(dm).toHaveLength(1);
  });

  it('sends no reminder when none is configured past a request’s age', async () => {
    const nurse = await s.slackUser('staff');
    const { ts } = await posted(nurse);
    await sweepExpired(s.h.runtime.ctx);
    await s.settle();
    expect(thread(ts)).toHaveLength(0);
  });
});

describe('break-the-glass notices', () => {
  it('link to the grant in the web app', async () => {
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    const [t] = await generate(s.h, admin, { count: 1, userId: nurse.id });
    const v = await s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'collapse in corridor' } });
    await s.settle();
    const notice = s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && allText(c.body).includes('collapse in corridor'))[0]!;
    expect(allText(notice.body)).toContain(`${s.h.config.publicUrl}/admin/reviews?id=${v.body.grant.id}`);
  });
});
