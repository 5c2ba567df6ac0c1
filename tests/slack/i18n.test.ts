// Bahasa Indonesia in Slack: every text in both languages (the catalogues have one shape and the
// Indonesian one is really translated), chosen per person (their account's language, set with PATCH /me,
// else their Slack locale from users.info), the admin channel in SLACK_DEFAULT_LOCALE, and Indonesian
// subcommand aliases for everyone.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { en, id, subcommandOf, type Texts } from '../../bot/i18n';
import { parseCommandText } from '../../bot/commands/parse';
import { expectError } from '../helpers/harness';
import { isDmTo } from './fake-slack';
import { ADMIN_CHANNEL, allText, buttons, slackId, startSlackHarness, tokensIn, type SlackHarness } from './harness';

/** Every leaf of a catalogue as a string (functions are called with sample arguments). */
function leaves(t: unknown, path = ''): Array<[string, string]> {
  if (typeof t === 'string') return [[path, t]];
  if (typeof t === 'function') {
    const args = Array.from({ length: t.length }, (_, i) => (i % 2 ? 3 : `«${i}»`));
    return [[path, String((t as (...a: unknown[]) => unknown)(...args))]];
  }
  if (t && typeof t === 'object') return Object.entries(t).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [];
}

describe('the catalogues', () => {
  it('have the same entries, none empty, and the Indonesian ones are translated', () => {
    const e = new Map(leaves(en));
    const i = new Map(leaves(id));
    expect([...i.keys()].sort()).toEqual([...e.keys()].sort());
    for (const [k, v] of i) expect(v.trim(), k).not.toBe('');
    // The same in both languages only where the word is the same (names, codes, "status", "Admin"...).
    const same = [...i].filter(([k, v]) => v === e.get(k)).map(([k]) => k);
    expect(same.sort()).toEqual(['home.admin', 'home.header', 'home.undeliveredLine', 'sub.status'].sort());
  });

  it('know each subcommand in both languages', () => {
    for (const [word, name] of [
      ['bantuan', 'help'],
      ['minta', 'request'],
      ['status', 'status'],
      ['masuk', 'login'],
      ['tertunda', 'pending'],
      ['buat', 'generate'],
      ['pantau', 'monitor'],
      ['HELP', 'help'],
    ] as const)
      expect(subcommandOf(word)).toBe(name);
    const limits = { maxRequestQuantity: 50, maxGenerateCount: 1000 };
    expect(parseCommandText('minta 3 jaga malam', limits, id)).toEqual({ ok: true, command: { name: 'request', quantity: 3, reason: 'jaga malam' } });
    const bad = parseCommandText('minta abc', limits, id);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/Jumlah harus bilangan bulat dari 1 sampai 50.*Cara pakai/s);
    const unknown = parseCommandText('terbang', limits, id as Texts);
    expect(!unknown.ok && unknown.error).toMatch(/Subperintah tidak dikenal `terbang`.*`bantuan`, `minta`/s);
  });
});

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness();
});
afterAll(() => s?.close());
afterEach(() => expect(s.fake.problems).toEqual([]));

/** A linked user whose Slack language is `locale`. */
async function person(role: 'staff' | 'admin', locale: string) {
  const u = await s.slackUser(role);
  s.fake.users.set(u.ref.id, { id: u.ref.id, name: u.ref.name!, locale });
  return u;
}

describe('per person', () => {
  it('`/emergency-token bantuan` answers in Indonesian for someone whose Slack speaks it, and works for everyone', async () => {
    const siti = await person('staff', 'id-ID');
    const jane = await person('staff', 'en-US');
    const idHelp = allText((await (await s.slack.command(siti.ref, 'bantuan')).reply()).body);
    expect(idHelp).toContain('yang dapat Anda lakukan');
    expect(idHelp).toContain('/emergency-token minta');
    const enHelp = allText((await (await s.slack.command(jane.ref, 'bantuan')).reply()).body);
    expect(enHelp).toContain('what you can do');
  });

  it('Indonesian subcommands act: minta, status, masuk', async () => {
    const siti = await person('staff', 'id-ID');
    const sent = allText((await (await s.slack.command(siti.ref, 'minta 4 jaga malam ICU')).reply()).body);
    expect(sent).toMatch(/Permintaan Anda untuk 4 token sudah diteruskan ke admin/);
    expect((await s.h.http('GET', '/api/v1/token-requests', { cookie: siti.cookie })).body.items).toEqual([
      expect.objectContaining({ quantity: 4, reason: 'jaga malam ICU' }),
    ]);
    expect(allText((await (await s.slack.command(siti.ref, 'status')).reply()).body)).toMatch(/Token tersedia:\* 0/);
    expect(allText((await (await s.slack.command(siti.ref, 'masuk')).reply()).body)).toMatch(/tautan masuk sekali pakai/);
    await s.fake.waitForCall('chat.postMessage', (c) => isDmTo(c, siti.ref.id) && /Ini tautan masuk/.test(allText(c.body)));
    expect(allText((await (await s.slack.command(siti.ref, 'tertunda')).reply()).body)).toMatch(/`tertunda` hanya untuk admin/);
  });

  it('the account’s language (PATCH /me) wins over Slack’s, for DMs too; the channel stays in the default', async () => {
    const budi = await person('staff', 'en-US');
    const admin = await person('admin', 'en-US');
    expectError(await s.h.http('PATCH', '/api/v1/me', { cookie: budi.cookie, body: { locale: 'fr' } }), 400, 'invalid_input');
    const set = await s.h.http('PATCH', '/api/v1/me', { cookie: budi.cookie, body: { locale: 'id' } });
    expect(set.status).toBe(200);
    expect(set.body.user.locale).toBe('id');
    expect((await s.h.http('GET', '/api/v1/me', { cookie: budi.cookie })).body.user.locale).toBe('id');

    expect(allText((await (await s.slack.command(budi.ref, 'help')).reply()).body)).toContain('yang dapat Anda lakukan');
    const res = await s.h.http('POST', '/api/v1/token-requests', { cookie: budi.cookie, body: { quantity: 2, reason: 'shift' } });
    await s.settle();
    const post = s.fake.callsTo(
      'chat.postMessage',
      (c) => c.body.channel === ADMIN_CHANNEL && buttons(c.body).some((b) => b.value === res.body.request.id),
    )[0]!;
    expect(allText(post.body)).toContain('Token request');
    expect(buttons(post.body).map((b) => (b as { accessibility_label?: string }).accessibility_label)).toEqual([
      expect.stringMatching(/^Approve 2 tokens/),
      expect.stringMatching(/^Approve 2 tokens.*note/),
      expect.stringMatching(/^Reject 2 tokens/),
    ]);
    await s.h.http('POST', `/api/v1/token-requests/${res.body.request.id}/approve`, { cookie: admin.cookie, body: {} });
    await s.settle();
    const dm = s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, budi.ref.id) && tokensIn(c).length > 0)[0]!;
    expect(allText(dm.body)).toMatch(/Permintaan Anda untuk 2 token disetujui oleh/);
    expect(allText(dm.body)).toMatch(/Setiap token hanya berlaku sekali/);

    // Back to "not set": Slack's language again.
    expect((await s.h.http('PATCH', '/api/v1/me', { cookie: budi.cookie, body: { locale: null } })).body.user.locale).toBeNull();
    expect(allText((await (await s.slack.command(budi.ref, 'help')).reply()).body)).toContain('what you can do');
  });

  it('App Home is in the person’s language', async () => {
    const siti = await person('admin', 'id-ID');
    await s.slack.event({ type: 'app_home_opened', user: siti.ref.id, channel: 'D0', tab: 'home', event_ts: '1.1' });
    const home = await s.fake.waitForCall('views.publish', (c) => c.body.user_id === siti.ref.id);
    const text = allText(home.body.view);
    expect(text).toContain('Token Anda yang tersedia');
    expect(text).toContain('Permintaan menunggu');
    expect(
      buttons(home.body.view)
        .map((b) => (b as { text?: { text?: string } }).text?.text)
        .slice(0, 2),
    ).toEqual(['Minta token', 'Masuk ke aplikasi']);
  });

  it('an unknown person is told in their Slack language', async () => {
    const anon = slackId();
    s.fake.users.set(anon, { id: anon, name: 'anon', locale: 'id-ID', isRestricted: true });
    const reply = await (await s.slack.command({ id: anon }, 'bantuan')).reply();
    expect(allText(reply.body)).toMatch(/Hanya anggota penuh workspace/);
  });
});

describe('the admin channel language', () => {
  it('follows SLACK_DEFAULT_LOCALE', async () => {
    const other = await startSlackHarness({ SLACK_DEFAULT_LOCALE: 'id' });
    try {
      const nurse = await other.slackUser('staff');
      const res = await other.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 1 } });
      await other.settle();
      const post = other.fake.callsTo(
        'chat.postMessage',
        (c) => c.body.channel === ADMIN_CHANNEL && buttons(c.body).some((b) => b.value === res.body.request.id),
      )[0]!;
      expect(allText(post.body)).toContain('Permintaan token: 1 token');
      expect(buttons(post.body).map((b) => (b as { text?: { text?: string } }).text?.text)).toEqual(['Setujui', 'Setujui dengan catatan…', 'Tolak']);
      expect(other.fake.problems).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
