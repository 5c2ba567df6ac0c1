// Break-the-glass notices and their review, lockout notices, low-stock DMs, and App Home.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../helpers/harness';
import { ADMIN_CHANNEL, allText, buttons, startSlackHarness, tokensIn, type SlackHarness } from './harness';
import { isDmTo } from './fake-slack';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness();
});
afterAll(() => s?.close());
// Every payload the bot sent in the test fits Slack's Block Kit limits (the fake checks each one).
afterEach(() => expect(s.fake.problems).toEqual([]));

const dmsTo = (slackUserId: string) => s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, slackUserId));

describe('break-the-glass notices', () => {
  it('posts each emergency access with review buttons, records the review, and redraws the notice', async () => {
    const admin = await s.slackUser('admin');
    const reviewer = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    const [t] = await generate(s.h, admin, { count: 1, userId: nurse.id });
    const v = await s.h.http('POST', '/api/v1/tokens/validate', {
      cookie: nurse.cookie,
      body: { token: t!.token, reason: 'unconscious patient, bed 12', patientRef: 'MRN-0042' },
    });
    expect(v.status).toBe(200);
    const grantId: string = v.body.grant.id;
    await s.settle();

    const notice = s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && buttons(c.body).some((b) => b.value === grantId))[0];
    expect(notice).toBeDefined();
    expect(allText(notice!.body)).toContain('unconscious patient, bed 12');
    expect(allText(notice!.body)).toContain('MRN-0042');
    expect(allText(notice!.body)).toContain(`<@${nurse.ref.id}>`);
    expect(buttons(notice!.body).map((b) => b.action_id)).toEqual(['grant_justified', 'grant_flagged']);
    const ts = notice!.result.ts as string;

    // A staff click changes nothing.
    const staffClick = await (
      await s.slack.action(nurse.ref, { actionId: 'grant_justified', value: grantId }, { channel: ADMIN_CHANNEL, messageTs: ts })
    ).reply();
    expect(allText(staffClick.body)).toMatch(/Only admins/);

    await s.slack.action(reviewer.ref, { actionId: 'grant_flagged', value: grantId }, { channel: ADMIN_CHANNEL, messageTs: ts });
    await s.settle();
    const grants = await s.h.http('GET', `/api/v1/grants?userId=${nurse.id}`, { cookie: admin.cookie });
    expect(grants.body.items[0].review).toMatchObject({ verdict: 'flagged', reviewedBy: reviewer.id });
    const updates = s.fake.callsTo('chat.update', (c) => c.body.ts === ts);
    expect(updates).toHaveLength(1);
    expect(buttons(updates[0]!.body)).toHaveLength(0);
    expect(allText(updates[0]!.body)).toMatch(/Flagged for follow-up/);
    expect(allText(updates[0]!.body)).toContain(`<@${reviewer.ref.id}>`);

    // A second review is refused and explained.
    const late = await (await s.slack.action(admin.ref, { actionId: 'grant_justified', value: grantId }, { channel: ADMIN_CHANNEL, messageTs: ts })).reply();
    expect(allText(late.body)).toMatch(/already been reviewed/);
  });

  it('refuses an admin reviewing their own emergency access', async () => {
    const admin = await s.slackUser('admin');
    const other = await s.slackUser('admin');
    const [t] = await generate(s.h, other, { count: 1, userId: admin.id });
    const v = await s.h.http('POST', '/api/v1/tokens/validate', { cookie: admin.cookie, body: { token: t!.token, reason: 'own access here' } });
    await s.settle();
    const reply = await (
      await s.slack.action(admin.ref, { actionId: 'grant_justified', value: v.body.grant.id }, { channel: ADMIN_CHANNEL, messageTs: '1.1' })
    ).reply();
    expect(allText(reply.body)).toMatch(/your own emergency access/);
  });

  it('posts a lockout after too many failed validations', async () => {
    const nurse = await s.slackUser('staff');
    for (let i = 0; i < s.h.config.lockout.attempts; i++) {
      await s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: '000000', reason: 'guessing here' } });
    }
    await s.settle();
    const lock = s.fake.callsTo(
      'chat.postMessage',
      (c) => c.body.channel === ADMIN_CHANNEL && /locked out/.test(allText(c.body)) && allText(c.body).includes(nurse.ref.id),
    );
    expect(lock).toHaveLength(1);
  });
});

describe('low-token alert', () => {
  it('DMs once when stock drops from 5 to 4, not again at 3, with a prefilled top-up button', async () => {
    expect(s.h.config.lowTokenThreshold).toBe(5);
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    const tokens = await generate(s.h, admin, { count: 5, userId: nurse.id });
    await s.settle();
    const lowDms = () => dmsTo(nurse.ref.id).filter((c) => /left/.test(String(c.body.text)));
    expect(lowDms()).toHaveLength(0);

    const use = (token: string) => s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token, reason: 'emergency use' } });
    expect((await use(tokens[0]!.token)).status).toBe(200);
    await s.settle();
    expect(lowDms()).toHaveLength(1);
    expect(allText(lowDms()[0]!.body)).toMatch(/4 emergency tokens left/);
    const [topUp] = buttons(lowDms()[0]!.body);
    expect(topUp).toMatchObject({ action_id: 'request_open_modal', value: '6' });

    expect((await use(tokens[1]!.token)).status).toBe(200);
    await s.settle();
    expect(lowDms()).toHaveLength(1);

    await s.slack.action(nurse.ref, { actionId: 'request_open_modal', value: topUp!.value! }, { channel: `D${nurse.ref.id.slice(1)}` });
    const open = await s.fake.waitForCall(
      'views.open',
      (c) => c.body.view?.callback_id === 'request_modal' && c.body.view.blocks[0].element.initial_value === '6',
    );
    expect(open).toBeDefined();
  });
});

describe('low-token alert only on a fall', () => {
  it('is not sent right after an approval that leaves the requester under the line; a use afterwards sends it', async () => {
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    const res = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 3, reason: 'top up' } });
    await s.h.http('POST', `/api/v1/token-requests/${res.body.request.id}/approve`, { cookie: admin.cookie, body: {} });
    await s.settle();
    const lowDms = () => dmsTo(nurse.ref.id).filter((c) => /left \(alert level/.test(String(c.body.text)));
    const approved = dmsTo(nurse.ref.id).filter((c) => /approved/.test(allText(c.body)));
    expect(approved).toHaveLength(1);
    expect(lowDms()).toHaveLength(0);
    const [token] = tokensIn(approved[0]);
    expect((await s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token, reason: 'first use after top up' } })).status).toBe(200);
    await s.settle();
    expect(lowDms()).toHaveLength(1);
    expect(allText(lowDms()[0]!.body)).toMatch(/2 emergency tokens left/);
  });
});

describe('App Home', () => {
  it('shows staff their stock and buttons, admins the admin sections, and refreshes on change', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    await generate(s.h, admin, { count: 7, userId: nurse.id });
    await s.slack.event({ type: 'app_home_opened', user: nurse.ref.id, channel: 'D0', tab: 'home', event_ts: '1.1' });
    const staffHome = await s.fake.waitForCall('views.publish', (c) => c.body.user_id === nurse.ref.id && /available tokens:\* 7/.test(allText(c.body.view)));
    expect(buttons(staffHome.body.view).map((b) => b.action_id)).toEqual(['request_open_modal', 'home_sign_in']);
    expect(allText(staffHome.body.view)).not.toMatch(/Pending requests/);

    await s.slack.event({ type: 'app_home_opened', user: admin.ref.id, channel: 'D0', tab: 'home', event_ts: '1.2' });
    const adminHome = await s.fake.waitForCall('views.publish', (c) => c.body.user_id === admin.ref.id);
    expect(allText(adminHome.body.view)).toMatch(/Pending requests/);
    expect(allText(adminHome.body.view)).toMatch(/Unreviewed emergency accesses/);
    expect(allText(adminHome.body.view)).toMatch(/Low stock/);

    // A request made in the API lands in the admin's Home with its buttons.
    const res = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 2, reason: 'home refresh' } });
    const id = res.body.request.id as string;
    const refreshed = await s.fake.waitFor(
      'the admin Home to be republished with the request',
      () => s.fake.callsTo('views.publish', (c) => c.body.user_id === admin.ref.id && buttons(c.body.view).some((b) => b.value === id))[0],
    );
    expect(
      buttons(refreshed.body.view)
        .filter((b) => b.value === id)
        .map((b) => b.action_id),
    ).toEqual(['request_approve', 'request_approve_note', 'request_reject']);

    // Approve from Home: no response_url there, so the confirmation comes by DM; the request is decided.
    await s.slack.action(admin.ref, { actionId: 'request_approve', value: id }, { view: { id: 'VHOME', type: 'home' } });
    await s.fake.waitForCall('chat.postMessage', (c) => isDmTo(c, admin.ref.id) && /Approved: 2 tokens issued/.test(allText(c.body)));
    expect((await s.h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie })).body.available).toBe(9);

    // Sign in from Home: a DM with the link.
    await s.slack.action(nurse.ref, { actionId: 'home_sign_in', value: 'home' }, { view: { id: 'VHOME', type: 'home' } });
    await s.fake.waitForCall('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && allText(c.body).includes('/login?code='));
    expect(s.fake.problems).toEqual([]);
  });
});
