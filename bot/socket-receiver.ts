// Socket Mode: Slack's requests arrive as envelopes over a WebSocket this server opens (hospital servers
// are rarely reachable from the internet). The connection is @slack/socket-mode's client, the one Bolt's
// own receiver uses, with its own reconnect; we give it a retry policy of its own (the listeners' and the
// outbox's clients retry nothing, and Bolt would hand it theirs: one 500 from apps.connections.open then
// ended the process) and connect in the background, so the server never waits for Slack. Each envelope
// is acknowledged as the HTTP receiver answers its request (dispatch.ts): at once for commands, clicks
// and events; with the listener's answer for modal submissions.
import { createHash } from 'node:crypto';
import type { App, Logger as BoltLogger, Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { Logger } from 'pino';
import type { SlackConnection } from './connection';
import { FAILED, type Dispatcher } from './dispatch';

export interface SocketReceiverOptions {
  appToken: string;
  apiUrl: string | undefined;
  log: Logger;
  boltLogger: BoltLogger;
  dispatcher: Dispatcher;
  connection: SlackConnection;
  /** How long Bolt's client waits for a pong, and (times the failures in a row) before reconnecting. */
  clientPingTimeoutMs?: number;
}

interface SlackEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

export class SocketReceiver implements Receiver {
  readonly client: SocketModeClient;
  private stopped = false;
  private restart: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(private readonly opts: SocketReceiverOptions) {
    this.client = new SocketModeClient({
      appToken: opts.appToken,
      logger: opts.boltLogger,
      autoReconnectEnabled: true,
      ...(opts.clientPingTimeoutMs !== undefined && { clientPingTimeout: opts.clientPingTimeoutMs }),
      clientOptions: {
        ...(opts.apiUrl && { slackApiUrl: opts.apiUrl }),
        // apps.connections.open is retried until it works, with backoff and jitter: a Slack outage
        // delays the connection, it never ends the process.
        retryConfig: { forever: true, factor: 2, minTimeout: 1000, maxTimeout: 60_000, randomize: true },
        timeout: 10_000,
      },
    });
    const c = opts.connection;
    this.client.on('connecting', () => c.socket('connecting'));
    this.client.on('reconnecting', () => c.socket('connecting', 'reconnecting'));
    this.client.on('connected', () => {
      this.failures = 0;
      c.socket('connected');
    });
    this.client.on('disconnected', () => c.socket('disconnected'));
    this.client.on('slack_event', (args: SlackEventArgs) => void this.onEnvelope(args));
  }

  init(app: App): void {
    this.opts.dispatcher.init(app);
  }

  /** Connects in the background and returns at once. */
  async start(): Promise<void> {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restart) clearTimeout(this.restart);
    await this.client.disconnect().catch(() => {});
    await this.opts.dispatcher.stop();
  }

  /**
   * Bolt's client gave up reconnecting (a refusal it will not retry, e.g. invalid_auth, rejected inside
   * its own reconnect): start it again later, with backoff and jitter, unless it came back meanwhile.
   */
  recover(err: unknown): void {
    this.opts.connection.socket('disconnected', String(err));
    this.later();
  }

  private connect(): void {
    this.client.start().catch((err: unknown) => {
      // Only a refusal Bolt's client will not retry by itself ends up here (invalid_auth and the like).
      this.opts.connection.failed(err);
      this.opts.connection.socket('disconnected', String(err));
      this.later();
    });
  }

  private later(): void {
    if (this.stopped || this.restart) return;
    const delay = Math.min(300_000, 5000 * 2 ** this.failures++) * (0.5 + Math.random());
    this.restart = setTimeout(() => {
      this.restart = undefined;
      if (this.opts.connection.status().socket !== 'connected') this.connect();
    }, delay);
    this.restart.unref();
  }

  private async onEnvelope(args: SlackEventArgs): Promise<void> {
    try {
      const ack = await this.opts.dispatcher.accept({
        body: args.body,
        key: createHash('sha256').update(JSON.stringify(args.body)).digest('hex'),
        retryNum: args.retry_num,
        retryReason: args.retry_reason,
      });
      await args.ack(ack === FAILED || ack === undefined ? undefined : typeof ack === 'string' ? { text: ack } : ack);
    } catch (err) {
      // The socket went away before the ack: Slack re-sends the envelope on the next connection.
      this.opts.log.warn({ err: String(err), envelopeId: args.envelope_id }, 'slack: could not acknowledge a Socket Mode envelope');
    }
  }
}
