// Sign-in lockouts reach the admins in Slack, like validation lockouts: an account's own lock (one
// address, too many wrong passwords), the per-username ceiling (an attack on an account from many
// addresses) and the per-address ceiling (one address trying many accounts). A lock on a name no account
// has, from one address, is not worth a message.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHANNEL, allText, startSlackHarness, type SlackHarness } from './harness';

let s: SlackHarness;
beforeAll(async () => {
  // Three wrong passwords lock a (username, address) pair; six lock a username or an address for everyone.
  s = await startSlackHarness({ LOCKOUT_ATTEMPTS: '3', LOGIN_CEILING: '6', TRUST_PROXY: 'true' });
});
afterAll(() => s?.close());
afterEach(() => expect(s.fake.problems).toEqual([]));

const signIn = (username: string, ip: string, password = 'not-the-password') =>
  s.h.http('POST', '/api/v1/auth/login', { headers: { 'x-forwarded-for': ip }, body: { username, password } });
const channelPosts = () => s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL).map((c) => allText(c.body));
const postsAbout = (needle: string) => channelPosts().filter((t) => t.includes(needle));

describe('sign-in lockouts in the admin channel', () => {
  it("an account's own lock (one address): the account and the address, until when", async () => {
    const nurse = await s.slackUser('staff');
    for (let i = 0; i < 3; i++) expect((await signIn(nurse.username, '203.0.113.7')).status).toBe(401);
    expect((await signIn(nurse.username, '203.0.113.7')).status).toBe(429);
    await s.settle();
    const [notice, ...more] = postsAbout(`<@${nurse.ref.id}>`);
    expect(more).toEqual([]);
    expect(notice).toMatch(/Sign-in as <@\w+> from `203\.0\.113\.7` is locked until <!date\^\d+\^\{time\}\|/);
    expect(notice).toMatch(/after 3 wrong passwords/);
    // The person can still sign in from elsewhere: the lock is the pair's.
    expect((await signIn(nurse.username, '198.51.100.1', nurse.password)).status).toBe(200);
  });

  it('a lock on a name no account has, from one address, is not posted', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn('nobody-by-this-name', '203.0.113.8')).status).toBe(401);
    await s.settle();
    expect(postsAbout('nobody-by-this-name')).toEqual([]);
  });

  it('the username ceiling (many addresses, one account): locked for everyone, posted once', async () => {
    const admin = await s.slackUser('admin');
    for (let i = 0; i < 6; i++) expect((await signIn(admin.username, `192.0.2.${10 + i}`)).status).toBe(401);
    // Now the real admin, from a fresh address and with the right password, waits too.
    expect((await signIn(admin.username, '192.0.2.99', admin.password)).status).toBe(429);
    await s.settle();
    const notices = postsAbout(`<@${admin.ref.id}>`);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/Sign-in as <@\w+> is locked \*for everyone\* until .* after 6 wrong passwords from several addresses/);
  });

  it('the address ceiling (one address, many accounts): the address is named', async () => {
    for (let i = 0; i < 6; i++) expect((await signIn(`guess-${i}`, '198.51.100.66')).status).toBe(401);
    await s.settle();
    const notices = postsAbout('`198.51.100.66`');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/Sign-ins \*from `198\.51\.100\.66`\* are locked for every account until .* after 6 wrong passwords/);
  });

  it('in Indonesian when the channel speaks it', async () => {
    const { texts } = await import('../../bot/i18n');
    const { loginLockoutNotice } = await import('../../bot/blocks/grants');
    const m = loginLockoutNotice(texts('id'), {
      by: 'username',
      username: 'siti',
      ip: null,
      lockedUntil: new Date().toISOString(),
      failures: 50,
      account: null,
    });
    expect(allText(m)).toMatch(/Masuk sebagai \*siti\* \(akun tidak ada\) dikunci \*untuk semua orang\*/);
  });
});
