// Wiring the running service: database, domain context, app, background work. Used by main.ts and by
// tests, so both run the same thing.
import { randomBytes } from 'node:crypto';
import { openDatabase, rows, type Database } from '../db/client';
import { excessPrivileges } from '../db/privileges';
import { sql } from 'drizzle-orm';
import { createApp } from './app';
import type { Config } from './config';
import type { Ctx } from './domain/context';
import { outboxState, outboxSummary, startOutboxWorker, type DeliveryOutcome, type OutboxWorker } from './domain/outbox';
import type { OutboxRow } from '../db/schema';
import type { DeliveryStatus } from './routes/schemas';
import { validSessions } from './domain/auth';
import { sweepExpired } from './domain/sweep';
import { catchUpSeries } from './domain/series';
import { takeCheckpoint } from './domain/audit-checkpoints';
import { missingSecrets, recordSecretInUse } from './domain/secrets';
import { ensureFirstAdmin } from './domain/users';
import { Health, type PartState } from './health';
import { EventHub } from './http/sse';
import { createLogger, type Logger } from './logger';
import { createMetrics } from './metrics';
import type { SlackBot } from '../bot/index';
import { startAuditShipper, type AuditShipper } from './syslog/shipper';

// The bot's own shape (bot/index.ts), as a type only: the API runs without bot code loaded when Slack
// is not configured (main.ts imports the bot lazily).
export type { SlackBot };

export interface RuntimeOptions {
  logger?: Logger;
  database?: Database;
  /** Build the bot for this context (bot/index.ts); undefined when Slack is not configured. */
  createBot?: (ctx: Ctx, logger: Logger) => Promise<SlackBot | undefined> | SlackBot | undefined;
  /** Run the expiry sweep and outbox worker on timers (off in most tests, which call them directly). */
  background?: boolean;
  sweepIntervalMs?: number;
  /** How often the audit syslog shipper looks for new events when idle (default 1 s). */
  syslogPollMs?: number;
  /** The signed checkpoints' period, overriding AUDIT_CHECKPOINT_MINUTES (tests: milliseconds, not an hour). */
  checkpointIntervalMs?: number;
}

export async function createRuntime(config: Config, opts: RuntimeOptions = {}) {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const database =
    opts.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      migrationUrl: config.migrationUrl,
      dataDir: config.dataDir,
      poolSize: config.database.poolSize,
      acquireTimeoutMs: config.database.acquireTimeoutMs,
      onListenError: (err) => logger.warn({ err }, 'event listener (LISTEN) connection down; reconnecting'),
      onListenResume: () => logger.info('event listener (LISTEN) connection back; live clients told to refetch'),
      onPoolError: (err) => logger.warn({ err }, 'database connection lost; the pool replaces it'),
      onNotifyError: (err, lost) =>
        logger.warn({ err, lost }, 'live-event notifications not sent (database unreachable); live screens refetch when it is back'),
    }));
  const ctx: Ctx = { db: database.db, database, config };
  if (database.kind === 'postgres') {
    // Said once, at start: a server that owns the tables could switch the audit triggers off.
    const problems = await excessPrivileges({ query: async <T>(text: string) => ({ rows: await rows<T>(database.db, sql.raw(text)) }) });
    if (problems.length)
      logger.warn(
        { problems },
        `${problems[0]}. Run the server as a role with least privilege (README, "Audit and compliance": DATABASE_MIGRATION_URL and npm run cli -- db grant-runtime)`,
      );
  }
  const firstAdmin = await ensureFirstAdmin(ctx, () => randomBytes(12).toString('base64url'));
  await recordSecretInUse(ctx);
  for (const k of await missingSecrets(ctx)) {
    logger.error(
      { keyId: k.keyId, availableTokens: k.availableTokens, lastSeenAt: k.lastSeenAt },
      'available tokens were made under an APP_SECRET this server does not have: they cannot be validated. Put that secret in APP_SECRET_PREVIOUS (README, "Rotate APP_SECRET")',
    );
  }
  const hub = new EventHub(
    database,
    (ids) => validSessions(ctx, ids),
    (err) => logger.warn({ err }, 'could not re-check the sessions of open event streams'),
  );
  await hub.start();
  const health = new Health();
  health.add({ name: 'database', critical: true, status: () => database.ping().then((): PartState => 'up') });
  health.add({ name: 'events', critical: false, status: () => (database.listening() ? 'up' : 'down') });
  const bot = opts.createBot ? await opts.createBot(ctx, logger) : undefined;
  if (!bot)
    logger.info(config.slack ? 'Slack bot not started' : 'Slack is not configured (no SLACK_BOT_TOKEN): the bot is off; the API and PWA work without it');
  const metrics = createMetrics();
  const app = createApp({ ctx, logger, hub, health, slack: bot, delivery: () => delivery(), metrics });

  let worker: OutboxWorker | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let checkpointTimer: NodeJS.Timeout | undefined;
  const background = opts.background ?? true;
  if (bot) {
    await bot.start();
    if (background) {
      // The worker retries on its own timer; /readyz reads its state (outboxState).
      worker = await startOutboxWorker(
        ctx,
        { slack: bot.destination },
        {
          onOutcome: (row, outcome) => {
            logOutcome(logger)(row, outcome);
            metrics.onDelivery(row, outcome);
          },
          onCrash: (err) => logger.warn({ err }, 'outbox pass failed; the worker carries on'),
        },
      );
      const running = worker;
      health.add({ name: 'outbox', critical: false, status: async () => outboxState(running.status(), (await outboxSummary(ctx.db)).slack, 'slack') });
    }
  }
  if (!worker) health.add({ name: 'outbox', critical: false, status: () => 'off' });
  health.add({ name: 'slack', critical: false, status: () => (!bot ? 'off' : bot.status().state === 'up' ? 'up' : 'down') });
  // The audit stream to the hospital's collector (AUDIT_SYSLOG_URL): one instance ships, the others stand by.
  let shipper: AuditShipper | undefined;
  if (config.auditSyslog && background) {
    shipper = await startAuditShipper(ctx, config.auditSyslog, {
      ...(opts.syslogPollMs !== undefined && { pollMs: opts.syslogPollMs }),
      onError: (err) => logger.warn({ err }, 'audit syslog: the collector is not taking events; they wait and go out when it is back'),
    });
  }
  health.add({ name: 'auditSyslog', critical: false, status: () => (!shipper ? 'off' : ['up', 'standby'].includes(shipper.state()) ? 'up' : 'down') });
  if (background) {
    // The sweep also catches the monitoring series' rollups up, so the first admin after a quiet night
    // does not pay for rolling up its events.
    const sweep = () =>
      sweepExpired(ctx)
        .catch((err) => logger.error({ err }, 'expiry sweep failed'))
        .then(() => catchUpSeries(ctx))
        .catch((err) => logger.error({ err }, 'series rollup failed'));
    void sweep();
    sweepTimer = setInterval(sweep, opts.sweepIntervalMs ?? 60_000);
    sweepTimer.unref();
    // Signed checkpoints of the audit chains (several instances may each take one: one at a time, and
    // none when no chain moved).
    if (config.auditCheckpoint.minutes > 0) {
      checkpointTimer = setInterval(
        () => void takeCheckpoint(ctx).catch((err) => logger.error({ err }, 'audit checkpoint failed')),
        opts.checkpointIntervalMs ?? config.auditCheckpoint.minutes * 60_000,
      );
      checkpointTimer.unref();
    }
  }
  if (config.auditCheckpoint.derived)
    logger.info('AUDIT_CHECKPOINT_KEY is not set: audit checkpoints are signed with a key derived from APP_SECRET (README, "Audit and compliance")');

  /** How Slack and its delivery stand (/readyz detail, admins' dead-letter view); never decides readiness. */
  const delivery = async (): Promise<DeliveryStatus> => {
    const slack = bot ? bot.status() : { state: 'off' as const, reason: null, since: null };
    const outbox = (await outboxSummary(ctx.db)).slack ?? { pending: 0, dead: 0, oldestPendingSeconds: null, oldestDueSeconds: null };
    const w = worker?.status();
    return {
      slack: { state: slack.state, reason: slack.reason, since: slack.since },
      ...outbox,
      worker: w
        ? {
            state: outboxState(w, outbox, 'slack'),
            running: w.running,
            inFlight: w.inFlight,
            lastSuccessAt: w.lastSuccessAt,
            lastDeliveredAt: w.lastDeliveredAt,
            lastError: w.lastError,
            pausedUntil: w.paused.slack?.until ?? null,
          }
        : null,
    };
  };

  return {
    app,
    metrics,
    delivery,
    worker: () => worker,
    auditShipper: () => shipper,
    ctx,
    hub,
    health,
    bot,
    logger,
    firstAdmin,
    async close() {
      if (sweepTimer) clearInterval(sweepTimer);
      if (checkpointTimer) clearInterval(checkpointTimer);
      await shipper?.stop();
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
    const line = { outboxId: row.id, kind: row.kind, destination: row.destination, attempts: row.attempts, requestId: row.requestId };
    if (o.outcome === 'retry')
      logger.warn({ ...line, reason: o.failure.reason, retryInSeconds: Math.round(o.delaySeconds) }, 'outbox delivery failed; will retry');
    else if (o.outcome === 'dead')
      logger.error({ ...line, reason: o.failure.reason }, 'outbox message could not be delivered (dead letter; admins can retry it)');
    else if (o.outcome === 'lost') logger.warn(line, 'outbox delivery outlived its lease; another worker may have taken the row');
  };
}
