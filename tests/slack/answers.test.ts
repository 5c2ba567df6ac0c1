// Every interaction answers: each action, view and event path that can fail tells the person what
// happened and what to do, by ephemeral message, DM, modal error, or a notice on their App Home when
// nothing else reaches them. One test per path.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isDmTo } from './fake-slack';
import { ADMIN_CHANNEL, allText, buttons, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness();
});
afterAll(() => s?.close());
afterEach(() => {
  s.fake.clearFaults();
  expect(s.fake.problems).toEqual([]);
});

const HOME = { view: { id: 'VHOME', type: 'home' } };
const dmTo = (id: string, re: RegExp) => s.fake.waitForCall('chat.postMessage', (c) => isDmTo(c, id) && re.test(allText(c.body)));
const homeNotice = (id: string, re: RegExp) => s.fake.waitForCall('views.publish', (c) => c.body.user_id === id && re.test(allText(c.body.view)));

async function pendingRequest(nurse: { cookie: string }) {
  const res = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 2, reason: 'answers' } });
  return res.body.request.id as string;
}

describe('a form Slack would not open', () => {
  it('`request` from the command: said ephemerally, with the way around it', async () => {
    const nurse = await s.slackUser('staff');
    s.fake.failNext('views.open', 'expired_trigger_id');
    const reply = await (await s.slack.command(nurse.ref, 'request')).reply();
    expect(allText(reply.body)).toMatch(/could not open the form.*request <quantity>/s);
  });

  it('Reject: said ephemerally where the admin clicked', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const id = await pendingRequest(nurse);
    s.fake.failNext('views.open', 'expired_trigger_id');
    const reply = await (await s.slack.action(admin.ref, { actionId: 'request_reject', value: id }, { channel: ADMIN_CHANNEL, messageTs: '1.1' })).reply();
    expect(allText(reply.body)).toMatch(/could not open the form for the reason/);
  });

  it('Approve with note: said ephemerally', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const id = await pendingRequest(nurse);
    s.fake.failNext('views.open', 'internal_error');
    const reply = await (
      await s.slack.action(admin.ref, { actionId: 'request_approve_note', value: id }, { channel: ADMIN_CHANNEL, messageTs: '1.1' })
    ).reply();
    expect(allText(reply.body)).toMatch(/could not open the form for the note/);
  });

  it('Home "Request tokens": by DM (Home has no response_url)', async () => {
    const nurse = await s.slackUser('staff');
    s.fake.failNext('views.open', 'expired_trigger_id');
    await s.slack.action(nurse.ref, { actionId: 'request_open_modal', value: 'home' }, HOME);
    await dmTo(nurse.ref.id, /could not open the form/);
  });

  it('Home "Request tokens" when the DM fails too: a notice on App Home', async () => {
    const nurse = await s.slackUser('staff');
    s.fake.failNext('views.open', 'expired_trigger_id');
    s.fake.failNext('chat.postMessage', 'internal_error');
    await s.slack.action(nurse.ref, { actionId: 'request_open_modal', value: 'home' }, HOME);
    await homeNotice(nurse.ref.id, /could not open the form/);
  });

  it('the low-stock DM button: by DM', async () => {
    const nurse = await s.slackUser('staff');
    s.fake.failNext('views.open', 'expired_trigger_id');
    await s.slack.action(nurse.ref, { actionId: 'request_open_modal', value: '6' }, { channel: `D${nurse.ref.id.slice(1)}` });
    // A DM button has a response_url: the answer is ephemeral there.
    const calls = await s.fake.waitFor('an answer', () =>
      s.fake.calls.find((c) => (c.method === 'response_url' || isDmTo(c, nurse.ref.id)) && /could not open the form/.test(allText(c.body))),
    );
    expect(calls).toBeDefined();
  });
});

describe('App Home "Sign in to the app"', () => {
  it('sends the link by DM', async () => {
    const nurse = await s.slackUser('staff');
    await s.slack.action(nurse.ref, { actionId: 'home_sign_in', value: 'home' }, HOME);
    await dmTo(nurse.ref.id, /\/login\?code=/);
  });

  it('says on App Home when the DM cannot be sent', async () => {
    const nurse = await s.slackUser('staff');
    s.fake.failNext('chat.postMessage', 'internal_error');
    await s.slack.action(nurse.ref, { actionId: 'home_sign_in', value: 'home' }, HOME);
    const home = await homeNotice(nurse.ref.id, /could not send you a sign-in link/);
    expect(allText(home.body.view)).not.toMatch(/login\?code=/);
  });
});

describe('decisions that fail after the modal closed', () => {
  it('a reject submitted after someone else approved: told where they clicked', async () => {
    const nurse = await s.slackUser('staff');
    const [a, b] = [await s.slackUser('admin'), await s.slackUser('admin')];
    const id = await pendingRequest(nurse);
    const click = await s.slack.action(a.ref, { actionId: 'request_reject', value: id }, { channel: ADMIN_CHANNEL, messageTs: '1.1' });
    const open = await s.fake.waitForCall('views.open', (c) => String(c.body.view?.private_metadata).includes(id));
    expect((await s.h.http('POST', `/api/v1/token-requests/${id}/approve`, { cookie: b.cookie, body: {} })).status).toBe(200);
    await s.slack.submit(a.ref, open.body.view, { reject_reason: { value: 'Too late now' } });
    const reply = await click.reply();
    expect(allText(reply.body)).toMatch(/already decided.*Approved/s);
  });

  it('a request modal submitted by a deactivated account: told where they asked', async () => {
    const nurse = await s.slackUser('staff');
    const root = await s.h.user('super_admin');
    const cmd = await s.slack.command(nurse.ref, 'request');
    const open = await s.fake.waitForCall('views.open', (c) => String(c.body.view?.private_metadata).includes(cmd.responseId));
    await s.h.http('PATCH', `/api/v1/users/${nurse.id}`, { cookie: root.cookie, body: { active: false } });
    await s.slack.submit(nurse.ref, open.body.view, { quantity: { value: '2' } });
    const reply = await cmd.reply();
    expect(allText(reply.body)).toMatch(/deactivated/);
  });
});

describe('undelivered messages in App Home (admins)', () => {
  it('lists dead letters with their reason and a Retry that works', async () => {
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    await s.settle();
    s.fake.failAlways('chat.postMessage', 'is_archived', (b) => b.channel === ADMIN_CHANNEL);
    const id = await pendingRequest(nurse);
    for (let i = 0; i < 3; i++) {
      await (await import('../../api/domain/outbox')).retryNow(s.h.runtime.ctx);
      await s.drain();
    }
    await s.slack.event({ type: 'app_home_opened', user: admin.ref.id, channel: 'D0', tab: 'home', event_ts: '9.1' });
    const home = await s.fake.waitForCall('views.publish', (c) => c.body.user_id === admin.ref.id && /Undelivered Slack messages/.test(allText(c.body.view)));
    expect(allText(home.body.view)).toMatch(/A request posted to the admin channel · `is_archived`/);
    const retry = buttons(home.body.view).find((b) => b.action_id === 'outbox_retry')!;
    expect(retry.value).toMatch(/^\d+$/);

    // A nurse cannot retry.
    await s.slack.action(nurse.ref, { actionId: 'outbox_retry', value: retry.value! }, HOME);
    await homeNotice(nurse.ref.id, /not allowed|admin/i);

    s.fake.clearFaults();
    await s.slack.action(admin.ref, { actionId: 'outbox_retry', value: retry.value! }, HOME);
    await homeNotice(admin.ref.id, /Queued again/);
    await s.drain();
    expect(s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && !c.fault && buttons(c.body).some((b) => b.value === id))).toHaveLength(
      1,
    );
  });
});

describe('events', () => {
  it('App Home for someone deactivated says so', async () => {
    const nurse = await s.slackUser('staff');
    const root = await s.h.user('super_admin');
    await s.h.http('PATCH', `/api/v1/users/${nurse.id}`, { cookie: root.cookie, body: { active: false } });
    await s.slack.event({ type: 'app_home_opened', user: nurse.ref.id, channel: 'D0', tab: 'home', event_ts: '9.2' });
    await homeNotice(nurse.ref.id, /deactivated/);
  });
});
