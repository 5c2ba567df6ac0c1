// Right people only: an account is provisioned only through the slash command, only for a full member of
// the app's workspace (not another workspace, a guest, a bot or a deleted user); roles come from the
// account; a Slack user deactivated in the workspace loses the account the bot made for them; and Slack
// revoking the bot (app_uninstalled, tokens_revoked) stops delivery and says so.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { updateUser } from '../../api/domain/users';
import { dbRows } from '../helpers/harness';
import { allText, slackId, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness();
  await s.bot.connection.ready();
});
afterAll(() => s?.close());
afterEach(() => {
  s.fake.clearFaults();
  expect(s.fake.problems).toEqual([]);
});

const accountOf = async (slackUserId: string) =>
  (
    await dbRows<{ id: string; active: boolean; slack_provisioned: boolean; role: string }>(
      s.h,
      sql`select id, active, slack_provisioned, role from users where slack_user_id = ${slackUserId}`,
    )
  )[0];

describe('provisioning', () => {
  it('provisions a member of the workspace as staff through the command, named from users.info', async () => {
    const id = slackId();
    s.fake.users.set(id, { id, name: 'jdoe', realName: 'Jane Doe' });
    const reply = await (await s.slack.command({ id, name: 'jdoe' }, 'status')).reply();
    expect(allText(reply.body)).toMatch(/Available tokens/);
    const root = await s.h.user('super_admin');
    const users = await s.h.http('GET', '/api/v1/users?q=jdoe', { cookie: root.cookie });
    expect(users.body.items).toEqual([expect.objectContaining({ name: 'Jane Doe', role: 'staff', slackUserId: id })]);
    expect(await accountOf(id)).toMatchObject({ slack_provisioned: true, active: true });
    // Once linked, the same account is used: no second one.
    await (await s.slack.command({ id, name: 'jdoe' }, 'status')).reply();
    expect((await s.h.http('GET', `/api/v1/users?q=jdoe`, { cookie: root.cookie })).body.items).toHaveLength(1);
  });

  it('takes the role from the account only: a provisioned user cannot use admin commands', async () => {
    const id = slackId();
    const reply = await (await s.slack.command({ id, name: 'workspace-admin' }, 'generate 5')).reply();
    expect(allText(reply.body)).toMatch(/is for admins/);
  });

  it.each([
    ['another workspace (payload)', { teamId: 'T0OTHER' }, {}],
    ['another workspace (users.info)', {}, { teamId: 'T0OTHER' }],
    ['a multi-channel guest', {}, { isRestricted: true }],
    ['a single-channel guest', {}, { isUltraRestricted: true }],
    ['a bot', {}, { isBot: true }],
    ['a deleted user', {}, { deleted: true }],
  ])('never provisions %s', async (_what, ref, profile) => {
    const id = slackId();
    s.fake.users.set(id, { id, name: `x${id.toLowerCase()}`, ...profile });
    const sent = await s.slack.command({ id, name: 'stranger', ...ref }, 'request 3 please');
    expect(allText((await sent.reply()).body)).toMatch(/Only full members/);
    await s.settle();
    expect(await accountOf(id)).toBeUndefined();
  });

  it('provisions nobody when Slack cannot say who it is, and says to try again', async () => {
    const id = slackId();
    s.fake.failAlways('users.info', 'internal_error');
    const reply = await (await s.slack.command({ id }, 'status')).reply();
    expect(allText(reply.body)).toMatch(/could not check your Slack account/);
    expect(await accountOf(id)).toBeUndefined();
  });

  it('never provisions on a click or a visit to App Home, and says how to get an account', async () => {
    const id = slackId();
    const nurse = await s.slackUser('staff');
    const req = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 1 } });
    const click = await s.slack.action(
      { id, name: 'clicker' },
      { actionId: 'request_approve', value: req.body.request.id },
      { channel: 'C0ADMIN', messageTs: '1.1' },
    );
    expect(allText((await click.reply()).body)).toMatch(/Type `\/emergency-token help` first/);
    await s.slack.event({ type: 'app_home_opened', user: id, channel: 'D0', tab: 'home', event_ts: '1.1' });
    const home = await s.fake.waitForCall('views.publish', (c) => c.body.user_id === id);
    expect(allText(home.body.view)).toMatch(/`\/emergency-token help` first/);
    await s.settle();
    expect(await accountOf(id)).toBeUndefined();
  });

  it('tells a deactivated user so, and does nothing', async () => {
    const nurse = await s.slackUser('staff');
    const root = await s.h.user('super_admin');
    await updateUser(s.h.runtime.ctx, { id: root.id, role: 'super_admin' }, nurse.id, { active: false });
    const reply = await (await s.slack.command(nurse.ref, 'request 3 please')).reply();
    expect(allText(reply.body)).toMatch(/deactivated/);
    await s.settle();
    const list = await s.h.http('GET', `/api/v1/token-requests?userId=${nurse.id}`, { cookie: root.cookie });
    expect(list.body.items).toHaveLength(0);
  });
});

describe('user_change', () => {
  it('deactivates the account the bot made for a Slack user deactivated in the workspace, and ends its sessions', async () => {
    const id = slackId();
    await (await s.slack.command({ id, name: 'leaver' }, 'status')).reply();
    const account = (await accountOf(id))!;
    expect(account.active).toBe(true);
    const signed = await s.h.http('POST', '/api/v1/auth/slack-link', {
      body: { code: (await (await import('../../api/domain/auth')).createSignInCode(s.h.runtime.ctx, account.id)).code },
    });
    const cookie = (signed.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await s.h.http('GET', '/api/v1/me', { cookie })).status).toBe(200);

    await s.slack.event({ type: 'user_change', user: { id, team_id: 'T0FAKE', deleted: false, name: 'leaver' }, event_ts: '1.1' });
    await s.bot.idle();
    expect((await accountOf(id))!.active).toBe(true);
    await s.slack.event({ type: 'user_change', user: { id, team_id: 'T0FAKE', deleted: true, name: 'leaver' }, event_ts: '1.2' });
    await s.bot.idle();
    expect((await accountOf(id))!.active).toBe(false);
    expect((await s.h.http('GET', '/api/v1/me', { cookie })).status).toBe(401);
    const audit = await dbRows<{ details: Record<string, unknown> }>(
      s.h,
      sql`select details from audit_events where action = 'user.updated' and subject_user_id = ${account.id} and actor_id is null`,
    );
    expect(audit.map((a) => a.details.reason)).toEqual(['slack_user_deactivated']);
  });

  it('leaves an admin-created account to the admins', async () => {
    const nurse = await s.slackUser('staff');
    await s.slack.event({ type: 'user_change', user: { id: nurse.ref.id, team_id: 'T0FAKE', deleted: true }, event_ts: '1.3' });
    await s.bot.idle();
    expect((await accountOf(nurse.ref.id))!.active).toBe(true);
  });
});

describe('Slack revoking the bot', () => {
  it.each(['app_uninstalled', 'tokens_revoked'] as const)('%s stops delivery, says so, and it resumes once Slack accepts the bot again', async (event) => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    await s.drain();
    // After an uninstall Slack refuses the token; the bot's re-checks see that too.
    s.fake.failAlways(/.*/, 'invalid_auth');
    await s.slack.event(event === 'app_uninstalled' ? { type: 'app_uninstalled' } : { type: 'tokens_revoked', tokens: { bot: ['UBOT'] } });
    await s.bot.idle();
    expect(s.bot.status()).toMatchObject({ state: 'revoked', reason: event });
    const req = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 2 } });
    const posts = () => s.fake.callsTo('chat.postMessage', (c) => JSON.stringify(c.body.blocks ?? '').includes(req.body.request.id));
    await s.drain();
    expect(posts()).toHaveLength(0);
    expect((await s.h.http('GET', '/readyz')).body.slack).toMatchObject({ state: 'revoked' });
    const dead = await s.h.http('GET', '/api/v1/dead-letters', { cookie: admin.cookie });
    expect(dead.body.delivery).toMatchObject({ slack: { state: 'revoked' } });
    expect(dead.body.delivery.pending).toBeGreaterThanOrEqual(1);

    s.fake.clearFaults();
    await s.fake.waitFor('the bot to be accepted again', () => s.bot.status().state === 'up', 30_000);
    await s.drain();
    expect(posts().filter((c) => !c.fault)).toHaveLength(1);
  });
});
