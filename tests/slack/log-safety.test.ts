// Token plaintext never reaches a log, even at LOG_LEVEL=debug (WebClient logs request bodies at debug).
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CHANNEL, buttons, startSlackHarness, tokensIn, type SlackHarness } from './harness';
import { isDmTo } from './fake-slack';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(String(chunk));
    done();
  },
});

let s: SlackHarness;
beforeAll(async () => {
  s = await startSlackHarness({ LOG_LEVEL: 'trace' }, { logger: pino({ level: 'trace' }, sink) });
});
afterAll(() => s?.close());
// Every payload the bot sent in the test fits Slack's Block Kit limits (the fake checks each one).
afterEach(() => expect(s.fake.problems).toEqual([]));

describe('logs', () => {
  it('carry no token plaintext at trace level', async () => {
    const nurse = await s.slackUser('staff');
    const admin = await s.slackUser('admin');
    await (await s.slack.command(nurse.ref, 'request 8 log check')).reply();
    await s.settle();
    const post = s.fake.callsTo('chat.postMessage', (c) => c.body.channel === ADMIN_CHANNEL)[0]!;
    const id = buttons(post.body)[0]!.value!;
    await s.slack.action(admin.ref, { actionId: 'request_approve', value: id }, { channel: ADMIN_CHANNEL, messageTs: post.result.ts });
    await s.settle();
    const generated = await (await s.slack.command(admin.ref, 'generate 4')).reply();
    const dm = s.fake.callsTo('chat.postMessage', (c) => isDmTo(c, nurse.ref.id) && tokensIn(c).length > 0)[0];
    const plaintexts = [...tokensIn(dm), ...tokensIn(generated)];
    expect(plaintexts).toHaveLength(12);
    expect(lines.length).toBeGreaterThan(10);
    const log = lines.join('\n');
    for (const t of plaintexts) expect(log).not.toContain(t);
  });
});
