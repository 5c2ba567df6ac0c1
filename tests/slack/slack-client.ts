// Plays Slack's side of the app's inbound traffic: builds slash command, block_actions, view_submission
// and event payloads the way Slack sends them, and delivers them either signed to /slack/events (HTTP
// mode) or as Socket Mode envelopes over the fake's WebSocket. Each payload's response_url points at the
// fake Slack, so whatever the bot answers through respond() is recorded there.
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
  /** HTTP mode only. */
  res?: Response;
  /** The HTTP status, or 200 once a Socket Mode envelope was acknowledged. */
  status: number;
  /** Socket Mode: the envelope's id and how long its ack took. */
  envelopeId?: string;
  ackMs?: number;
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
  /** The user's workspace when it is not the app's (T0FAKE). */
  teamId?: string;
}

export class SlackSim {
  /** `socket`: deliver as Socket Mode envelopes over the fake's WebSocket instead of signed HTTP posts. */
  transport: 'http' | 'socket' = 'http';

  constructor(
    private readonly eventsUrl: string,
    private readonly signingSecret: string,
    private readonly fake: FakeSlack,
    readonly teamId = 'T0FAKE',
  ) {}

  private sent(status: number, text: string, rawBody: string, responseId: string, extra: Partial<Sent> = {}): Sent {
    const fake = this.fake;
    const replies = () => fake.callsTo('response_url', (c) => c.responseId === responseId);
    return {
      status,
      text,
      rawBody,
      responseId,
      replies,
      reply: (timeoutMs?: number) => fake.waitFor(`a reply on response_url ${responseId}`, () => replies()[0], timeoutMs),
      ...extra,
    };
  }

  /** Socket Mode: sends the envelope and resolves once it is acknowledged (text: the ack's payload, if any). */
  private async envelope(
    type: 'slash_commands' | 'interactive' | 'events_api',
    payload: Record<string, unknown>,
    opts: PostOptions,
    responseId: string,
  ): Promise<Sent> {
    const { envelopeId, acked } = this.fake.send(type, payload, opts.retryNum !== undefined ? { retryAttempt: opts.retryNum } : {});
    const ack = await acked(5_000);
    const text = Object.keys(ack.payload).length ? JSON.stringify(ack.payload) : '';
    return this.sent(200, text, JSON.stringify(payload), responseId, { envelopeId, ackMs: ack.ms });
  }

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
    return this.sent(res.status, text, body, responseId, { res });
  }

  /** `/emergency-token <text>` typed by `user` in `channel`. */
  command(user: SlackUserRef, text: string, opts: PostOptions & { channel?: string; command?: string } = {}): Promise<Sent> {
    const responseId = `cmd-${randomUUID()}`;
    const form = new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: user.teamId ?? this.teamId,
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
    if (this.transport === 'socket') return this.envelope('slash_commands', Object.fromEntries(form), opts, responseId);
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
      team: { id: user.teamId ?? this.teamId, domain: 'fake-hospital' },
      user: { id: user.id, username: user.name ?? user.id.toLowerCase(), name: user.name ?? user.id.toLowerCase(), team_id: user.teamId ?? this.teamId },
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
    if (this.transport === 'socket') return this.envelope('interactive', payload, opts, responseId);
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
      team: { id: user.teamId ?? this.teamId, domain: 'fake-hospital' },
      user: { id: user.id, username: user.name ?? user.id.toLowerCase(), name: user.name ?? user.id.toLowerCase(), team_id: user.teamId ?? this.teamId },
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
    if (this.transport === 'socket') return this.envelope('interactive', payload, opts, '');
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.post(form.toString(), 'application/x-www-form-urlencoded', opts, '');
  }

  /** An Events API callback (e.g. app_home_opened). */
  event(event: Record<string, unknown>, opts: PostOptions & { teamId?: string } = {}): Promise<Sent> {
    const callback = {
      token: 'deprecated-verification-token',
      team_id: this.teamId,
      api_app_id: 'A0FAKE',
      type: 'event_callback',
      event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 10)}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
      authorizations: [{ team_id: this.teamId, user_id: 'UBOT', is_bot: true }],
    };
    if (opts.teamId) callback.team_id = opts.teamId;
    if (this.transport === 'socket') return this.envelope('events_api', callback, opts, '');
    return this.post(JSON.stringify(callback), 'application/json', opts, '');
  }
}
