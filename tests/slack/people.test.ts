// Slack user ↔ account: auto-provisioning as staff, roles only from the account, and deactivated users.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { updateUser } from '../../api/domain/users';
import { allText, slackId, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness();
});
afterAll(() => s?.close());
// Every payload the bot sent in the test fits Slack's Block Kit limits (the fake checks each one).
afterEach(() => expect(s.fake.problems).toEqual([]));

describe('people', () => {
  it('provisions an unknown Slack user as staff, named from users.info', async () => {
    const id = slackId();
    s.fake.users.set(id, { id, name: 'jdoe', realName: 'Jane Doe' });
    const reply = await (await s.slack.command({ id, name: 'jdoe' }, 'status')).reply();
    expect(allText(reply.body)).toMatch(/Available tokens/);
    const root = await s.h.user('super_admin');
    const users = await s.h.http('GET', '/api/v1/users?q=jdoe', { cookie: root.cookie });
    expect(users.body.items).toEqual([expect.objectContaining({ name: 'Jane Doe', role: 'staff', slackUserId: id })]);
    // Once linked, the same account is used: no second one.
    await (await s.slack.command({ id, name: 'jdoe' }, 'status')).reply();
    expect((await s.h.http('GET', `/api/v1/users?q=jdoe`, { cookie: root.cookie })).body.items).toHaveLength(1);
  });

  it('takes the role from the account only: a provisioned user cannot use admin commands', async () => {
    const id = slackId();
    const reply = await (await s.slack.command({ id, name: 'workspace-admin' }, 'generate 5')).reply();
    expect(allText(reply.body)).toMatch(/is for admins/);
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
