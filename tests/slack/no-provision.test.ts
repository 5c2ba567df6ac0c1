// SLACK_AUTO_PROVISION=false: an unknown Slack user is told to ask an admin, and no account appears.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allText, slackId, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness({ SLACK_AUTO_PROVISION: 'false' });
});
afterAll(() => s?.close());
// Every payload the bot sent in the test fits Slack's Block Kit limits (the fake checks each one).
afterEach(() => expect(s.fake.problems).toEqual([]));

describe('without auto-provisioning', () => {
  it('refuses unknown users with a pointer to an admin', async () => {
    const id = slackId();
    const reply = await (await s.slack.command({ id, name: 'stranger' }, 'request 2 hi')).reply();
    expect(allText(reply.body)).toMatch(/not linked.*Ask an admin/s);
    await s.slack.event({ type: 'app_home_opened', user: id, channel: 'D0', tab: 'home', event_ts: '1.1' });
    const home = await s.fake.waitForCall('views.publish', (c) => c.body.user_id === id);
    expect(allText(home.body.view)).toMatch(/not linked/);
    const root = await s.h.user('super_admin');
    const users = await s.h.http('GET', '/api/v1/users?q=stranger', { cookie: root.cookie });
    expect(users.body.items).toHaveLength(0);
  });

  it('still serves linked users', async () => {
    const nurse = await s.slackUser('staff');
    const reply = await (await s.slack.command(nurse.ref, 'status')).reply();
    expect(allText(reply.body)).toMatch(/Available tokens/);
  });
});
