// The Slack bot: a Bolt app on top of the domain services. HTTP mode mounts it at POST /slack/events on
// the API's own server (receiver.ts); Socket Mode (SLACK_APP_TOKEN) connects out instead, for hospital
// servers Slack cannot reach (socket-receiver.ts). Undefined when Slack is not configured: the API and PWA
// run alone. Slack can never stop or slow the rest: the bot connects in the background, every Slack call
// has a short timeout, outbox delivery holds no transaction, and a rejection nobody handled in Slack's
// SDK is logged, never fatal.
import { App, LogLevel, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { Ctx } from '../api/domain/context';
import type { Destination } from '../api/domain/outbox';
import { claimSlackReceipt } from '../api/domain/slack-receipts';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import { SlackConnection, type SlackStatus } from './connection';
import { createSlackDestination } from './delivery';
import { SlackOut } from './delivery/send';
import type { BotDeps } from './deps';
import { Dispatcher } from './dispatch';
import { registerEvents } from './events';
import { HomePublisher } from './home';
import { People } from './people';
import { startReceiptPruning } from './receipts';
import { HonoReceiver } from './receiver';
import { slackFetch } from './slack-fetch';
import { SocketReceiver } from './socket-receiver';
import { registerViews } from './views';

export interface SlackBot {
  /** POST /slack/events (HTTP mode; 404 in Socket Mode, where Slack does not call us). */
  handle(c: Context): Promise<Response>;
  /** The outbox destination that delivers every Slack kind. */
  destination: Destination;
  /** Starts everything in the background (checking the token, Socket Mode's connection); never waits for Slack. */
  start(): Promise<void>;
  /** Disconnects and waits for work still running after its ack. */
  stop(): Promise<void>;
  /** Resolves when every request handed to Bolt and every App Home refresh so far is done (tests). */
  idle(): Promise<void>;
  /** Up, down, connecting or revoked, and why (the log, /readyz and admins show it). */
  status(): SlackStatus;
  readonly connection: SlackConnection;
  readonly mode: 'http' | 'socket';
}

export interface SlackBotOptions {
  /** Socket Mode's ping timeout, which also spaces its reconnects (tests shorten it). */
  socketPingTimeoutMs?: number;
}

/** Interactive calls (views.open with a trigger_id that lives 3 s, ephemeral answers) give up quickly. */
const INTERACTIVE_TIMEOUT_MS = 3000;
const OUTBOX_TIMEOUT_MS = 10_000;

export function createSlackBot(ctx: Ctx, logger: Logger, options: SlackBotOptions = {}): SlackBot | undefined {
  const slack = ctx.config.slack;
  if (!slack) return undefined;
  const log = logger.child({ module: 'slack' });
  const socketMode = Boolean(slack.appToken);
  const apiUrl = slack.apiUrl && (slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/`);

  const clientOptions = (timeout: number): webApi.WebClientOptions => ({
    // WebClient joins method names onto this base, so it must end with a slash.
    ...(apiUrl && { slackApiUrl: apiUrl }),
    // No client-side retry loops: listeners must answer quickly, and the outbox retries with its own backoff.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout,
    // respond() posts to response_url with this fetch: it gets the same deadline as API calls.
    fetch: slackFetch(timeout, log),
    logger: boltLogger(log),
  });
  const client = new webApi.WebClient(slack.botToken, clientOptions(INTERACTIVE_TIMEOUT_MS));
  const outboxClient = new webApi.WebClient(slack.botToken, clientOptions(OUTBOX_TIMEOUT_MS));
  const connection = new SlackConnection(outboxClient, log, socketMode ? 'socket' : 'http');
  const dispatcher = new Dispatcher(log, (key) => claimSlackReceipt(ctx, key));
  const receiver = socketMode
    ? new SocketReceiver({
        appToken: slack.appToken!,
        apiUrl,
        log,
        boltLogger: boltLogger(log.child({ module: 'socket-mode' })),
        dispatcher,
        connection,
        ...(options.socketPingTimeoutMs !== undefined && { clientPingTimeoutMs: options.socketPingTimeoutMs }),
      })
    : new HonoReceiver({ signingSecret: slack.signingSecret, logger: log, dispatcher });

  const app = new App({
    receiver,
    // Our own authorize: Bolt would otherwise call auth.test on every start (and fail hard when it cannot).
    authorize: async () => ({ botToken: slack.botToken }),
    // A copy: Bolt writes its own logger into the options it is given.
    clientOptions: { ...clientOptions(INTERACTIVE_TIMEOUT_MS) },
    logger: boltLogger(log.child({ module: 'bolt' })),
  });
  app.error(async (err) => {
    log.error({ err }, 'slack: a listener failed');
  });

  const people = new People(ctx, slack, client, log, connection);
  const home = new HomePublisher(ctx, client, log, people);
  const deps: BotDeps = { ctx, log, client, people, home, connection, out: new SlackOut(outboxClient) };
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
  const destination = createSlackDestination(deps);
  let stopPruning: (() => void) | undefined;
  const onUnhandled = unhandledSlackRejections(log, (err) => {
    connection.failed(err);
    // In Socket Mode such a rejection is Bolt's client giving up a reconnect: it is started again.
    if (receiver instanceof SocketReceiver) receiver.recover(err);
  });

  return {
    mode: socketMode ? 'socket' : 'http',
    connection,
    destination,
    async handle(c: Context) {
      if (receiver instanceof SocketReceiver) return c.json({ error: { code: 'not_found', message: 'The Slack bot runs in Socket Mode.' } }, 404);
      return receiver.handle(c.req.raw);
    },
    async start() {
      process.on('unhandledRejection', onUnhandled);
      await home.start();
      stopPruning = startReceiptPruning(ctx, log);
      connection.start();
      if (receiver instanceof SocketReceiver) await receiver.start();
    },
    async stop() {
      stopPruning?.();
      connection.stop();
      await receiver.stop().catch(() => {});
      await home.stop();
      process.off('unhandledRejection', onUnhandled);
    },
    async idle() {
      await dispatcher.idle();
      await home.idle();
    },
    status: () => connection.status(),
  };
}

/**
 * Slack's SDK has paths where a failure rejects a promise nobody awaits (Socket Mode's reconnect when
 * apps.connections.open is refused, for one): logged and reported, never fatal. Any other unhandled
 * rejection keeps Node's default (the process ends), unless someone else handles those.
 */
function unhandledSlackRejections(log: Logger, onSlackFailure: (err: unknown) => void) {
  const handler = (reason: unknown) => {
    const code = (reason as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('slack_')) {
      log.error({ err: String(reason), code }, 'slack: an unhandled failure in the Slack SDK (the server carries on)');
      onSlackFailure(reason);
      return;
    }
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  };
  return handler;
}

/**
 * Bolt and WebClient log through the app's pino logger. WebClient logs every request and response body
 * at debug level, and DM bodies carry token plaintext, which must never reach a log: those lines are
 * dropped whatever LOG_LEVEL says. Socket Mode logs each envelope it receives, and a generate command's
 * ephemeral answer carries plaintext too: dropped as well.
 */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  const secretBearing =
    /^(http (request|response)|Received a message on the WebSocket|Sending a WebSocket message|Calling ack\(\)|ack\(\) (call begins|response sent))/;
  return {
    debug: (...m) => {
      const text = line(m);
      if (!secretBearing.test(text)) log.debug(text);
    },
    info: (...m) => log.info(line(m)),
    warn: (...m) => log.warn(line(m)),
    error: (...m) => log.error(line(m)),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}
