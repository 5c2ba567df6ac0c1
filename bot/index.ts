// The Slack bot: a Bolt app on top of the domain services. HTTP mode mounts it at POST /slack/events on
// the API's own server (see receiver.ts); Socket Mode (SLACK_APP_TOKEN) connects out instead, for
// hospital servers Slack cannot reach. Undefined when Slack is not configured: the API and PWA run alone.
import { App, LogLevel, webApi, type Logger as BoltLogger, type Middleware, type AnyMiddlewareArgs } from '@slack/bolt';
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { Tx } from '../db/client';
import type { OutboxRow } from '../db/schema';
import type { Ctx } from '../api/domain/context';
import { registerActions } from './actions';
import { registerCommands } from './commands';
import type { BotDeps } from './deps';
import { registerEvents } from './events';
import { HomePublisher } from './home';
import { createDeliver } from './outbox';
import { People } from './people';
import { claimSlackReceipt } from '../api/domain/slack-receipts';
import { startReceiptPruning } from './receipts';
import { HonoReceiver } from './receiver';
import { registerViews } from './views';

export interface SlackBot {
  /** POST /slack/events (HTTP mode; 404 in Socket Mode, where Slack does not call us). */
  handle(c: Context): Promise<Response>;
  /** Outbox delivery for every Slack kind; hand it to startOutboxWorker / deliverDue. */
  deliver(row: OutboxRow, tx: Tx): Promise<void>;
  /** Connects Socket Mode, checks the token (auth.test), subscribes App Home to domain events. */
  start(): Promise<void>;
  /** Disconnects and waits for work still running after its ack. */
  stop(): Promise<void>;
  /** Resolves when every request handed to Bolt and every App Home refresh so far is done (tests). */
  idle(): Promise<void>;
  readonly mode: 'http' | 'socket';
}

export function createSlackBot(ctx: Ctx, logger: Logger): SlackBot | undefined {
  const slack = ctx.config.slack;
  if (!slack) return undefined;
  const log = logger.child({ module: 'slack' });
  const socketMode = Boolean(slack.appToken);

  const clientOptions: webApi.WebClientOptions = {
    // WebClient joins method names onto this base, so it must end with a slash.
    ...(slack.apiUrl && { slackApiUrl: slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/` }),
    // No client-side retry loops: listeners must answer quickly, and the outbox retries with its own backoff.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: boltLogger(log),
  };
  const client = new webApi.WebClient(slack.botToken, clientOptions);
  const receiver = socketMode
    ? undefined
    : new HonoReceiver({ signingSecret: slack.signingSecret, logger: log, claim: (key) => claimSlackReceipt(ctx, key) });

  const app = new App({
    ...(receiver ? { receiver } : { socketMode: true, appToken: slack.appToken }),
    // Our own authorize: Bolt would otherwise call auth.test on every start (and fail hard when it cannot).
    authorize: async () => ({ botToken: slack.botToken }),
    // A copy: Bolt writes its own logger into the options it is given.
    clientOptions: { ...clientOptions },
    logger: boltLogger(log.child({ module: 'bolt' })),
  });
  app.error(async (err) => {
    log.error({ err }, 'slack: a listener failed');
  });
  // Socket Mode has no raw body for the receiver to digest; a redelivered envelope is caught here instead.
  if (socketMode) app.use(socketDedupe(ctx, log));

  const people = new People(ctx, slack, client, log);
  const home = new HomePublisher(ctx, client, log);
  const deps: BotDeps = { ctx, config: ctx.config, slack, log, client, people, home };
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
  const deliver = createDeliver(deps);
  let stopPruning: (() => void) | undefined;

  return {
    mode: socketMode ? 'socket' : 'http',
    async handle(c: Context) {
      if (!receiver) return c.json({ error: { code: 'not_found', message: 'The Slack bot runs in Socket Mode.' } }, 404);
      return receiver.handle(c.req.raw);
    },
    deliver,
    async start() {
      await home.start();
      stopPruning = startReceiptPruning(ctx, log);
      if (socketMode) await app.start();
      try {
        const who = await client.auth.test();
        log.info({ team: who.team, bot: who.user, mode: socketMode ? 'socket' : 'http' }, `Slack bot on (${socketMode ? 'Socket Mode' : 'HTTP at /slack/events'})`);
      } catch (err) {
        log.warn({ err: String(err) }, 'Slack bot on, but auth.test failed: check SLACK_BOT_TOKEN');
      }
    },
    async stop() {
      stopPruning?.();
      if (socketMode) await app.stop().catch(() => {});
      await receiver?.stop();
      await home.stop();
    },
    async idle() {
      await receiver?.idle();
      await home.idle();
    },
  };
}

function socketDedupe(ctx: Ctx, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = createHash('sha256').update(JSON.stringify(args.body)).digest('hex');
    if (await claimSlackReceipt(ctx, key)) return args.next();
    log.info('slack: ignored a Socket Mode delivery already handled');
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
  };
}

/**
 * Bolt and WebClient log through the app's pino logger. WebClient logs every request and response body
 * at debug level, and DM bodies carry token plaintext, which must never reach a log: those lines are
 * dropped whatever LOG_LEVEL says.
 */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...m) => {
      const text = line(m);
      if (!/^http (request|response)/.test(text)) log.debug(text);
    },
    info: (...m) => log.info(line(m)),
    warn: (...m) => log.warn(line(m)),
    error: (...m) => log.error(line(m)),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}
