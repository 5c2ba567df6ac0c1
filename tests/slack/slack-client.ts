// Plays Slack's side of /slack/events: builds slash command, block_actions, view_submission and event
// payloads the way Slack sends them, signs them with the signing secret, and posts them. Each payload's
// response_url points at the fake Slack, so whatever the bot answers through respond() is recorded there.
import { randomUUID } from 'node:crypto';
import { signSlackBody } from '../../bot/verify';
import type { FakeSlack, Json, SlackCall } from './fake-slack';

export interface PostOptions {
  /** Seconds since the epoch to sign with (default now). */
  timestamp?: number;
  /** Replace the computed signature. */
  signature?: string;
  retryNum?: number;
  /** Post exactly this raw body (for retries, which resend the same bytes). */
  rawBody?: string;
}

export interface Sent {
  res: Response;
  status: number;
  text: string;
  rawBody: string;
  /** The response_url id of this payload; `replies()` reads what was posted there. */
  responseId: string;
  replies(): SlackCall[];
  /** Waits for the first respond() to this payload. */
  reply(timeoutMs?: number): Promise<SlackCall>;
}

export interface SlackUserRef {
  id: string;
  name?: string;
}

export class SlackSim {
  constructor(
    private readonly eventsUrl: string,
    private readonly signingSecret: string,
    private readonly fake: FakeSlack,
    readonly teamId = 'T0FAKE',
  ) {}

  async post(rawBody: string, contentType: string, opts: PostOptions = {}, responseId = ''): Promise<Sent> {
    const body = opts.rawBody ?? rawBody;
    const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': opts.signature ?? signSlackBody(this.signingSecret, ts, body),
    };
    if (opts.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(opts.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    const res = await fetch(this.eventsUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    const fake = this.fake;
    const replies = () => fake.callsTo('response_url', (c) => c.responseId === responseId);
    return {
      res,
      status: res.status,
      text,
      rawBody: body,
      responseId,
      replies,
      reply: (timeoutMs?: number) => fake.waitFor(`a reply on response_url ${responseId}`, () => replies()[0], timeoutMs),
    };
  }

  /** `/emergency-token <text>` typed by `user` in `channel`. */
  command(user: SlackUserRef, text: string, opts: PostOptions & { channel?: string; command?: string } = {}): Promise<Sent> {
    const responseId = `cmd-${randomUUID()}`;
    const form = new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      team_domain: 'fake-hospital',
      channel_id: opts.channel ?? 'C0GENERAL',
      channel_name: 'general',
      user_id: user.id,
      user_name: user.name ?? user.id.toLowerCase(),
      command: opts.command ?? '/emergency-token',
      text,
      api_app_id: 'A0FAKE',
      is_enterprise_install: 'false',
      response_url: this.fake.responseUrl(responseId),
      trigger_id: `trigger-${randomUUID()}`,
    });
    return this.post(form.toString(), 'application/x-www-form-urlencoded', opts, responseId);
  }

  /** A button click. `message` is the message the button sits in (channel messages and ephemerals alike). */
  action(
    user: SlackUserRef,
    action: { actionId: string; value?: string; blockId?: string },
    where: { channel?: string; messageTs?: string; ephemeral?: boolean; view?: Record<string, unknown> } = {},
    opts: PostOptions = {},
  ): Promise<Sent> {
    const responseId = `act-${randomUUID()}`;
    const payload: Record<string, unknown> = {
      type: 'block_actions',
      team: { id: this.teamId, domain: 'fake-hospital' },
      user: { id: user.id, username: user.name ?? user.id.toLowerCase(), name: user.name ?? user.id.toLowerCase(), team_id: this.teamId },
      api_app_id: 'A0FAKE',
      token: 'deprecated-verification-token',
      trigger_id: `trigger-${randomUUID()}`,
      actions: [
        {
          type: 'button',
          action_id: action.actionId,
          block_id: action.blockId ?? 'b',
          value: action.value ?? '',
          text: { type: 'plain_text', text: 'button' },
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    };
    if (where.view) {
      payload.container = { type: 'view', view_id: String(where.view.id ?? 'V0') };
      payload.view = where.view;
    } else {
      const channel = where.channel ?? 'C0ADMIN';
      const ts = where.messageTs ?? '1700000000.000001';
      payload.container = { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: where.ephemeral ?? false };
      payload.channel = { id: channel, name: 'channel' };
      payload.message = { type: 'message', ts, text: '' };
      payload.response_url = this.fake.responseUrl(responseId);
    }
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.post(form.toString(), 'application/x-www-form-urlencoded', opts, responseId);
  }

  /**
   * A modal submitted with `values`: block_id → action_id → value. `view` is the modal as the bot opened
   * it (from the fake's views.open record), so callback_id and private_metadata come back as Slack would.
   */
  submit(user: SlackUserRef, view: Json, values: Record<string, Record<string, string>>, opts: PostOptions = {}): Promise<Sent> {
    const state: Record<string, Record<string, { type: string; value: string }>> = {};
    for (const [blockId, actions] of Object.entries(values)) {
      state[blockId] = {};
      for (const [actionId, value] of Object.entries(actions)) state[blockId][actionId] = { type: 'plain_text_input', value };
    }
    const payload = {
      type: 'view_submission',
      team: { id: this.teamId, domain: 'fake-hospital' },
      user: { id: user.id, username: user.name ?? user.id.toLowerCase(), name: user.name ?? user.id.toLowerCase(), team_id: this.teamId },
      api_app_id: 'A0FAKE',
      token: 'deprecated-verification-token',
      trigger_id: `trigger-${randomUUID()}`,
      view: {
        id: view.id ?? 'V0',
        team_id: this.teamId,
        type: 'modal',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata ?? '',
        title: view.title,
        blocks: view.blocks ?? [],
        state: { values: state },
        hash: 'h',
      },
      response_urls: [],
    };
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.post(form.toString(), 'application/x-www-form-urlencoded', opts, '');
  }

  /** An Events API callback (e.g. app_home_opened). */
  event(event: Record<string, unknown>, opts: PostOptions = {}): Promise<Sent> {
    const body = JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      api_app_id: 'A0FAKE',
      type: 'event_callback',
      event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 10)}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
      authorizations: [{ team_id: this.teamId, user_id: 'UBOT', is_bot: true }],
    });
    return this.post(body, 'application/json', opts, '');
  }
}
