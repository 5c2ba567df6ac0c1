// The slash command end to end through real Bolt: help, request by arguments, status, bad input.
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

describe('/emergency-token', () => {
  it('answers help ephemerally, listing admin commands only to admins', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const staffHelp = await s.slack.command(nurse.ref, '');
    expect(staffHelp.status).toBe(200);
    const reply = await staffHelp.reply();
    expect(reply.body.response_type).toBe('ephemeral');
    expect(allText(reply.body)).toContain('request');
    expect(allText(reply.body)).not.toContain('generate');
    const adminHelp = await (await s.slack.command(admin.ref, 'help')).reply();
    expect(allText(adminHelp.body)).toContain('generate');
  });

  it('creates a request from arguments, confirms it, and posts it to the admin channel with buttons', async () => {
    const nurse = await s.slackUser('staff');
    const sent = await s.slack.command(nurse.ref, 'request 10 night shift ICU');
    const reply = await sent.reply();
    expect(allText(reply.body)).toMatch(/request for 10 tokens/);
    await s.settle();
    const post = s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && allText(c.body).includes(nurse.ref.id)).at(-1);
    expect(post).toBeDefined();
    expect(allText(post!.body)).toContain('night shift ICU');
    expect(buttons(post!.body).map((b) => b.action_id)).toEqual(['request_approve', 'request_approve_note', 'request_reject']);
    const list = await s.h.http('GET', '/api/v1/token-requests', { cookie: nurse.cookie });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ quantity: 10, reason: 'night shift ICU', status: 'pending' });
    expect(s.fake.problems).toEqual([]);
  });
});

describe('request modal', () => {
  it('opens the modal, refuses bad input on the field, and creates the request on a good submission', async () => {
    const nurse = await s.slackUser('staff');
    const cmd = await s.slack.command(nurse.ref, 'request');
    await s.bot.idle();
    expect(cmd.replies()).toHaveLength(0);
    const open = await s.fake.waitForCall(
      'views.open',
      (c) => c.body.view?.callback_id === 'request_modal' && String(c.body.view.private_metadata).includes(cmd.responseId),
    );
    const view = open.body.view;

    for (const bad of ['0', '-3', 'abc', '100000', '2.5', '']) {
      const sent = await s.slack.submit(nurse.ref, view, { quantity: { value: bad }, reason: { value: 'x' } });
      expect(sent.status).toBe(200);
      const body = JSON.parse(sent.text);
      expect(body.response_action).toBe('errors');
      expect(body.errors.quantity).toMatch(/1 to 50/);
    }
    const long = await s.slack.submit(nurse.ref, view, { quantity: { value: '4' }, reason: { value: 'r'.repeat(501) } });
    expect(JSON.parse(long.text).errors.reason).toMatch(/500/);
    await s.settle();
    expect((await s.h.http('GET', '/api/v1/token-requests', { cookie: nurse.cookie })).body.items).toHaveLength(0);

    const ok = await s.slack.submit(nurse.ref, view, { quantity: { value: '4' }, reason: { value: 'theatre list' } });
    expect(ok.text).toBe('');
    await s.settle();
    const items = (await s.h.http('GET', '/api/v1/token-requests', { cookie: nurse.cookie })).body.items;
    expect(items).toEqual([expect.objectContaining({ quantity: 4, reason: 'theatre list', status: 'pending' })]);
    // The confirmation goes back through the slash command's response_url, ephemerally.
    const reply = await cmd.reply();
    expect(reply.body.response_type).toBe('ephemeral');
    expect(allText(reply.body)).toMatch(/request for 4 tokens/);
    expect(s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL && allText(c.body).includes('theatre list'))).toHaveLength(1);
  });
});

describe('bad input', () => {
  it.each([
    ['request -3', /quantity must be a whole number from 1 to 50|quantity must be from 1 to 50/],
    ['request abc', /quantity must be a whole number from 1 to 50/],
    ['request 100000', /quantity must be from 1 to 50/],
    ['request 0 zero', /quantity must be from 1 to 50/],
    ['request 2.5', /whole number/],
    ['frobnicate', /Unknown subcommand `frobnicate`.*help/s],
    ['status now', /takes no arguments/],
    ['generate', /Give the count/],
    ['generate many', /count must be a whole number from 1 to 1000/],
    ['generate 5 9', /token length must be from 4 to 6/],
    ['generate 5 @jane', /could not tell which Slack user/],
  ])('`%s` gets an ephemeral explanation and creates nothing', async (text, message) => {
    const admin = await s.slackUser('admin');
    const before = (await s.h.http('GET', '/api/v1/tokens?limit=200', { cookie: admin.cookie })).body.items.length;
    const sent = await s.slack.command(admin.ref, text);
    const reply = await sent.reply();
    expect(reply.body.response_type).toBe('ephemeral');
    expect(allText(reply.body)).toMatch(message);
    await s.settle();
    expect(
      (await s.h.http('GET', '/api/v1/token-requests', { cookie: admin.cookie })).body.items.filter((r: { userId: string }) => r.userId === admin.id),
    ).toHaveLength(0);
    expect((await s.h.http('GET', '/api/v1/tokens?limit=200', { cookie: admin.cookie })).body.items.length).toBe(before);
  });

  it('keeps admin subcommands from staff', async () => {
    const nurse = await s.slackUser('staff');
    for (const text of ['pending', 'generate 5', 'monitor']) {
      const reply = await (await s.slack.command(nurse.ref, text)).reply();
      expect(allText(reply.body)).toMatch(/is for admins/);
    }
  });
});

describe('status, login, pending, generate, monitor', () => {
  it('status shows my tokens, pending requests and active grant', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    await generate(s.h, admin, { count: 6, userId: nurse.id });
    await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 2, reason: 'for the weekend' } });
    const reply = await (await s.slack.command(nurse.ref, 'status')).reply();
    const text = allText(reply.body);
    expect(text).toMatch(/Available tokens:\* 6/);
    expect(text).toContain('for the weekend');
    expect(text).toMatch(/none active/);
  });

  it('login DMs a one-time link that signs in through the API, once', async () => {
    const nurse = await s.slackUser('staff');
    const reply = await (await s.slack.command(nurse.ref, 'login')).reply();
    expect(allText(reply.body)).toMatch(/DM/);
    expect(allText(reply.body)).not.toMatch(/code=/);
    const dm = await s.fake.waitForCall('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && allText(c.body).includes('/login?code='));
    const url = new URL(/(http[^\s|>]+\/login\?code=[^\s|>]+)/.exec(allText(dm.body))![1]!);
    expect(`${url.origin}`).toBe(s.h.config.publicUrl);
    const code = url.searchParams.get('code')!;
    const first = await s.h.http('POST', '/api/v1/auth/slack-link', { body: { code }, headers: { origin: s.h.config.publicUrl } });
    expect(first.status).toBe(200);
    expect(first.body.user.id).toBe(nurse.id);
    expect(first.headers.get('set-cookie')).toBeTruthy();
    const again = await s.h.http('POST', '/api/v1/auth/slack-link', { body: { code }, headers: { origin: s.h.config.publicUrl } });
    expect(again.status).toBe(401);
  });

  it('pending lists requests with buttons; approving from the list redraws it', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    const res = await s.h.http('POST', '/api/v1/token-requests', { cookie: nurse.cookie, body: { quantity: 3, reason: 'from the list' } });
    const id = res.body.request.id as string;
    const list = await (await s.slack.command(admin.ref, 'pending')).reply();
    expect(
      buttons(list.body)
        .filter((b) => b.value === id)
        .map((b) => b.action_id),
    ).toEqual(['request_approve', 'request_approve_note', 'request_reject']);

    const click = await s.slack.action(admin.ref, { actionId: 'request_approve', value: id }, { channel: 'C0GENERAL', messageTs: '1.2', ephemeral: true });
    // The list is an ephemeral message: it is redrawn in place, without the decided request.
    const redraw = await click.reply();
    expect(redraw.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(buttons(redraw.body).some((b) => b.value === id)).toBe(false);
    const mine = await s.h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie });
    expect(mine.body.available).toBe(3);
  });

  it('generate shows unassigned tokens once to the admin, and DMs assigned ones to the assignee', async () => {
    const admin = await s.slackUser('admin');
    const nurse = await s.slackUser('staff');
    const loose = await (await s.slack.command(admin.ref, 'generate 3')).reply();
    const shown = tokensIn(loose);
    expect(shown).toHaveLength(3);
    for (const t of shown) expect(t).toMatch(/^\d{6}$/);
    expect(loose.body.response_type).toBe('ephemeral');

    const short = await (await s.slack.command(admin.ref, 'generate 2 4')).reply();
    expect(tokensIn(short).every((t) => /^\d{4}$/.test(t))).toBe(true);
    expect(allText(short.body)).toMatch(/ASVS/);

    const assigned = await (await s.slack.command(admin.ref, `generate 6 6 <@${nurse.ref.id}|${nurse.ref.name}>`)).reply();
    expect(tokensIn(assigned)).toHaveLength(0);
    expect(allText(assigned.body)).toMatch(/by DM/);
    await s.settle();
    const dm = s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && tokensIn(c).length > 0);
    expect(dm).toHaveLength(1);
    expect(tokensIn(dm[0])).toHaveLength(6);
    const ok = await s.h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: tokensIn(dm[0])[0], reason: 'code blue' } });
    expect(ok.status).toBe(200);
  });

  it('monitor shows the stats', async () => {
    const admin = await s.slackUser('admin');
    const reply = await (await s.slack.command(admin.ref, 'monitor')).reply();
    const text = allText(reply.body);
    expect(text).toMatch(/Available/);
    expect(text).toMatch(/Pending requests/);
    expect(text).toMatch(/Low stock/);
    expect(s.fake.problems).toEqual([]);
  });
});
