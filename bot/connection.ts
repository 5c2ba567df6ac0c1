// Whether Slack is there for us, as the log, /readyz and the admins see it. The bot never waits for Slack
// to start: it checks the token (auth.test) in the background, again and again with backoff and jitter
// until Slack answers, and learns the workspace it belongs to (whose members alone may be provisioned).
// Afterwards every call's outcome keeps the state current: a transport failure says "down", an answer
// says "up", and a refusal of the bot itself (invalid_auth, app_uninstalled, tokens_revoked) says
// "revoked", which stops delivery until Slack accepts the bot again.
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { isRevokedCode, slackErrorCode } from './slack-errors';

export type SlackState = 'connecting' | 'up' | 'down' | 'revoked';

export interface SlackStatus {
  state: SlackState;
  mode: 'http' | 'socket';
  /** Why it is not up (a Slack error code such as `invalid_auth`, or `unreachable`). */
  reason: string | null;
  since: string;
  team: { id: string; name: string | undefined } | null;
  /** Socket Mode: whether the WebSocket is open. */
  socket?: 'connected' | 'connecting' | 'disconnected';
}

const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60_000;

export class SlackConnection {
  private state: SlackState = 'connecting';
  private reason: string | null = null;
  private since = new Date();
  private team: SlackStatus['team'] = null;
  private socketState: SlackStatus['socket'];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private attempt = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    readonly mode: 'http' | 'socket',
    private readonly random: () => number = Math.random,
  ) {
    if (mode === 'socket') this.socketState = 'connecting';
  }

  /** Starts checking in the background; returns at once. */
  start(): void {
    this.stopped = false;
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The workspace id from auth.test, once Slack has answered it. */
  teamId(): string | undefined {
    return this.team?.id;
  }

  status(): SlackStatus {
    return {
      state: this.state,
      mode: this.mode,
      reason: this.reason,
      since: this.since.toISOString(),
      team: this.team,
      ...(this.socketState && { socket: this.socketState }),
    };
  }

  /** Delivery stops while Slack refuses the bot. */
  revokedReason(): string | null {
    return this.state === 'revoked' ? (this.reason ?? 'revoked') : null;
  }

  /** Resolves when Slack has answered auth.test (tests wait on it instead of sleeping). */
  async ready(): Promise<void> {
    if (this.team) return;
    await new Promise<void>((resolve) => this.waiters.add(resolve));
  }

  /** A call got an answer from Slack. */
  reached(): void {
    if (this.state === 'down') this.set('up', null);
  }

  /** A call failed; a transport failure means down, a refusal of the bot means revoked. */
  failed(err: unknown): void {
    const code = slackErrorCode(err);
    if (isRevokedCode(code)) this.revoked(code);
    else if (code === 'unreachable' || code === 'timeout' || code.startsWith('http_5')) {
      if (this.state === 'up') this.set('down', code);
    }
  }

  /** Slack told us the app was uninstalled or its token revoked: stop delivering, say so, and keep checking. */
  revoked(reason: string): void {
    if (this.state !== 'revoked') {
      this.set('revoked', reason);
      this.schedule();
    }
  }

  /** Socket Mode's own lifecycle (Bolt's client reconnects by itself; we only report it). */
  socket(state: NonNullable<SlackStatus['socket']>, reason?: string): void {
    if (this.socketState === state) return;
    this.socketState = state;
    if (state === 'connected') {
      this.log.info('Slack Socket Mode connected');
      if (this.team && this.state !== 'revoked') this.set('up', null);
    } else if (state === 'disconnected' || state === 'connecting') {
      if (this.state === 'up') this.set('down', reason ?? 'socket_disconnected');
    }
  }

  private set(state: SlackState, reason: string | null): void {
    if (this.state === state && this.reason === reason) return;
    const was = this.state;
    this.state = state;
    this.reason = reason;
    this.since = new Date();
    const line = { slack: state, was, reason, mode: this.mode };
    if (state === 'up') this.log.info({ ...line, team: this.team?.name }, `Slack bot on (${this.mode === 'socket' ? 'Socket Mode' : 'HTTP at /slack/events'})`);
    else if (state === 'revoked')
      this.log.error(line, `Slack no longer accepts the bot (${reason}): messages wait until it is reinstalled or SLACK_BOT_TOKEN is fixed`);
    else this.log.warn(line, `Slack is unreachable (${reason}); the API and PWA carry on, messages wait in the outbox`);
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const base = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** Math.min(this.attempt++, 16));
    this.timer = setTimeout(() => void this.check(), base * (0.5 + this.random()));
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    try {
      const who = await this.client.auth.test();
      this.attempt = 0;
      this.team = { id: String(who.team_id ?? ''), name: who.team };
      for (const w of this.waiters) w();
      this.waiters.clear();
      // Socket Mode is up once its socket is too.
      if (this.mode === 'http' || this.socketState === 'connected') this.set('up', null);
      else if (this.state === 'revoked') this.set('connecting', null);
    } catch (err) {
      const code = slackErrorCode(err);
      // Once revoked, the first reason (app_uninstalled, tokens_revoked, ...) is the one worth telling.
      if (this.state === 'revoked') this.set('revoked', this.reason);
      else this.set(isRevokedCode(code) ? 'revoked' : 'down', code);
      this.schedule();
    }
  }
}
