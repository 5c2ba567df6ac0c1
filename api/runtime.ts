// Wiring the running service: database, domain context, app, background work. Used by main.ts and by
// tests, so both run the same thing.
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../db/client';
import { createApp, type SlackEndpoint } from './app';
import type { Config } from './config';
import type { Ctx } from './domain/context';
import { outboxSummary, startOutboxWorker, type Destination, type DeliveryOutcome, type OutboxWorker } from './domain/outbox';
import type { OutboxRow } from '../db/schema';
import type { DeliveryStatus } from './routes/schemas';
import { sweepExpired } from './domain/sweep';
import { ensureFirstAdmin } from './domain/users';
import { EventHub } from './http/sse';
import { createLogger, type Logger } from './logger';

export interface SlackBot extends SlackEndpoint {
  /** The outbox destination that delivers to Slack. */
  destination: Destination;
  /** Returns at once: the bot connects in the background (the server serves with Slack unreachable). */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): { state: 'connecting' | 'up' | 'down' | 'revoked'; reason: string | null; since: string };
}

export interface RuntimeOptions {
  logger?: Logger;
  database?: Database;
  /** Build the bot for this context (bot/index.ts); undefined when Slack is not configured. */
  createBot?: (ctx: Ctx, logger: Logger) => Promise<SlackBot | undefined> | SlackBot | undefined;
  /** Run the expiry sweep and outbox worker on timers (off in most tests, which call them directly). */
  background?: boolean;
  sweepIntervalMs?: number;
}

export async function createRuntime(config: Config, opts: RuntimeOptions = {}) {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const database =
    opts.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      onListenError: (err) => logger.warn({ err }, 'LISTEN connection lost; reconnecting'),
      onPoolError: (err) => logger.warn({ err }, 'idle database connection lost; it will be replaced'),
    }));
  const ctx: Ctx = { db: database.db, database, config };
  const firstAdmin = await ensureFirstAdmin(ctx, () => randomBytes(12).toString('base64url'));
  const hub = new EventHub(database);
  await hub.start();
  const bot = opts.createBot ? await opts.createBot(ctx, logger) : undefined;
  if (!bot) logger.info(config.slack ? 'Slack bot not started' : 'Slack is not configured (no SLACK_BOT_TOKEN): the bot is off; the API and PWA work without it');
  const app = createApp({ ctx, logger, hub, slack: bot, delivery: () => delivery() });

  let worker: OutboxWorker | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  const background = opts.background ?? true;
  if (bot) {
    await bot.start();
    if (background) {
      worker = await startOutboxWorker(ctx, { slack: bot.destination }, { onOutcome: logOutcome(logger), onCrash: (err) => logger.warn({ err }, 'outbox pass failed; the worker carries on') });
    }
  }
  if (background) {
    const sweep = () => sweepExpired(ctx).catch((err) => logger.error({ err }, 'expiry sweep failed'));
    void sweep();
    sweepTimer = setInterval(sweep, opts.sweepIntervalMs ?? 60_000);
    sweepTimer.unref();
  }

  /** How Slack and its delivery stand (/readyz detail, admins' dead-letter view); never decides readiness. */
  const delivery = async (): Promise<DeliveryStatus> => {
    const slack = bot ? bot.status() : { state: 'off' as const, reason: null, since: null };
    const outbox = (await outboxSummary(ctx.db)).slack ?? { pending: 0, dead: 0, oldestPendingSeconds: null };
    return { slack: { state: slack.state, reason: slack.reason, since: slack.since }, ...outbox };
  };

  return {
    app,
    delivery,
    worker: () => worker,
    ctx,
    hub,
    bot,
    logger,
    firstAdmin,
    async close() {
      if (sweepTimer) clearInterval(sweepTimer);
      await worker?.stop();
      await bot?.stop();
      await hub.stop();
      await database.close();
    },
  };
}
export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

/** One line per failed delivery; a dead letter is an error (admins see it in the app too). */
function logOutcome(logger: Logger) {
  return (row: OutboxRow, o: DeliveryOutcome) => {
    const line = { outboxId: row.id, kind: row.kind, destination: row.destination, attempts: row.attempts };
    if (o.outcome === 'retry') logger.warn({ ...line, reason: o.failure.reason, retryInSeconds: Math.round(o.delaySeconds) }, 'outbox delivery failed; will retry');
    else if (o.outcome === 'dead') logger.error({ ...line, reason: o.failure.reason }, 'outbox message could not be delivered (dead letter; admins can retry it)');
    else if (o.outcome === 'lost') logger.warn(line, 'outbox delivery outlived its lease; another worker may have taken the row');
  };
}
