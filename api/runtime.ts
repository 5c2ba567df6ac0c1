// Wiring the running service: database, domain context, app, background work. Used by main.ts and by
// tests, so both run the same thing.
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../db/client';
import { createApp, type SlackEndpoint } from './app';
import type { Config } from './config';
import type { Ctx } from './domain/context';
import { startOutboxWorker, type Deliver, type OutboxWorker } from './domain/outbox';
import { sweepExpired } from './domain/sweep';
import { ensureFirstAdmin } from './domain/users';
import { EventHub } from './http/sse';
import { createLogger, type Logger } from './logger';

export interface SlackBot extends SlackEndpoint {
  deliver: Deliver;
  start(): Promise<void>;
  stop(): Promise<void>;
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
  const app = createApp({ ctx, logger, hub, slack: bot });

  let worker: OutboxWorker | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  const background = opts.background ?? true;
  if (bot) {
    await bot.start();
    if (background) worker = await startOutboxWorker(ctx, bot.deliver, { onError: (row, err) => logger.warn({ id: row.id, kind: row.kind, err: String(err) }, 'outbox delivery failed; will retry') });
  }
  if (background) {
    const sweep = () => sweepExpired(ctx).catch((err) => logger.error({ err }, 'expiry sweep failed'));
    void sweep();
    sweepTimer = setInterval(sweep, opts.sweepIntervalMs ?? 60_000);
    sweepTimer.unref();
  }

  return {
    app,
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
