// One running service per test file with the Slack bot on: the real runtime (database, domain, Hono app)
// listening on a real port, Bolt inside it at /slack/events, and a fake Slack that records what the bot
// sends. Outbox delivery is driven by the test (drain), so nothing races and nothing sleeps.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import { deliverDue, retryNow } from '../../api/domain/outbox';
import { createSlackBot, type SlackBot } from '../../bot/index';
import { startHarness, type Harness, type TestUser } from '../helpers/harness';
import { FakeSlack, type Json, type SlackCall } from './fake-slack';
import { SlackSim, type SlackUserRef } from './slack-client';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const ADMIN_CHANNEL = 'C0ADMIN';

export interface SlackHarness {
  h: Harness;
  fake: FakeSlack;
  slack: SlackSim;
  bot: SlackBot;
  baseUrl: string;
  /** Delivers every due outbox row now; returns how many were sent. Failures are collected in `outboxErrors`. */
  drain(): Promise<number>;
  /** Waits for the bot's work after its acks, then delivers the outbox, then waits for App Home refreshes. */
  settle(): Promise<void>;
  outboxErrors: string[];
  /** A user with a Slack link; `ref` is what Slack payloads carry for them. */
  slackUser(role?: 'staff' | 'admin' | 'super_admin', name?: string): Promise<TestUser & { ref: SlackUserRef }>;
  close(): Promise<void>;
}

let seq = 0;
export const slackId = () => `U${Date.now().toString(36).toUpperCase()}${(++seq).toString(36).toUpperCase()}`;

export interface SlackHarnessOptions {
  logger?: Logger;
  /** Socket Mode (SLACK_APP_TOKEN): Slack's traffic arrives as envelopes over the fake's WebSocket. */
  socket?: boolean;
  /** A fake to use (e.g. one already scripted to misbehave at boot, or stopped to play Slack being down). */
  fake?: FakeSlack;
  /** Run the outbox worker and the sweep on their timers, as in production (drain() still works). */
  background?: boolean;
}

export async function startSlackHarness(env: Record<string, string> = {}, opts: SlackHarnessOptions = {}): Promise<SlackHarness> {
  const fake = opts.fake ?? new FakeSlack();
  if (!opts.fake) await fake.start();
  const h = await startHarness(
    {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_ADMIN_CHANNEL: ADMIN_CHANNEL,
      SLACK_API_URL: fake.apiUrl,
      ...(opts.socket && { SLACK_APP_TOKEN: 'xapp-test-token' }),
      ...env,
    },
    // Socket Mode's reconnects are spaced by its ping timeout: shortened so a dropped socket is back in a second.
    {
      createBot: (ctx, logger) => createSlackBot(ctx, logger, { socketPingTimeoutMs: 900 }),
      ...(opts.logger && { logger: opts.logger }),
      ...(opts.background && { background: true }),
    },
  );
  const bot = h.runtime.bot as unknown as SlackBot;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: h.runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const slack = new SlackSim(`${baseUrl}/slack/events`, SIGNING_SECRET, fake);
  if (opts.socket) slack.transport = 'socket';
  const outboxErrors: string[] = [];
  const drain = () =>
    deliverDue(
      h.runtime.ctx,
      { slack: bot.destination },
      {
        onOutcome: (row, o) => {
          if (o.outcome === 'retry' || o.outcome === 'dead') outboxErrors.push(`${row.kind}: ${o.outcome} ${o.failure.reason}`);
        },
      },
    );

  return {
    h,
    fake,
    slack,
    bot,
    baseUrl,
    drain,
    outboxErrors,
    async settle() {
      await bot.idle();
      await drain();
      await bot.idle();
    },
    async slackUser(role = 'staff', name) {
      const id = slackId();
      const u = await h.user(role, { slackUserId: id, ...(name && { name }) });
      return { ...u, ref: { id, name: u.username } };
    },
    async close() {
      fake.unhang();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await h.close();
      await fake.stop();
    },
  };
}

export { retryNow };

/** The text of every block of a recorded message, for "does it say X" assertions. */
export function allText(payload: Json | undefined): string {
  if (!payload) return '';
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(payload.text);
  walk(payload.blocks);
  return out.join('\n');
}

/** action_ids of every button in a message or view. */
export function buttons(payload: Json | undefined): Array<{ action_id: string; value?: string }> {
  const blocks: Json[] = payload?.blocks ?? [];
  return blocks.flatMap((b) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : [])).filter((e: Json) => e.type === 'button');
}

/** The 6-digit tokens in a DM's code blocks. */
export function tokensIn(call: SlackCall | undefined): string[] {
  if (!call) return [];
  const codes = (call.body.blocks as Json[] | undefined)?.flatMap((b) => {
    const text = b.text?.text as string | undefined;
    return text?.startsWith('```') ? text.replace(/```/g, '').split(/\s+/).filter(Boolean) : [];
  });
  return codes ?? [];
}
