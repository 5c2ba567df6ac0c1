// Prometheus metrics (prom-client), one registry per running server. Two kinds:
// - what this process sees, counted as it happens: validations by outcome and their latency, HTTP
//   latency by route, outbox deliveries by outcome, SSE clients, the LISTEN connection, the pool;
// - what the whole installation holds, read from the database at each scrape (the same value on every
//   instance: take max() across them): outbox depth and age of the oldest pending message, dead letters,
//   lockouts so far and users locked out now.
// Exposed at GET /metrics with `Authorization: Bearer $METRICS_TOKEN` (404 when METRICS_TOKEN is unset).
// Other modules only hand events in: the HTTP middleware below, and onOutcome of the outbox worker.
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sql } from 'drizzle-orm';
import { rows, type Database } from '../db/client';
import type { OutboxRow } from '../db/schema';
import type { DeliveryOutcome } from './domain/outbox';

const VALIDATE_PATH = '/api/v1/tokens/validate';

export interface MetricsSources {
  database: Database;
  /** Open SSE streams on this instance. */
  sseClients(): number;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'et_' });
  const registers = [registry];

  const validations = new Counter({
    name: 'et_validations_total',
    help: 'Token validations by outcome (success, token_invalid, token_used, token_expired, too_many_attempts, ...).',
    labelNames: ['outcome'],
    registers,
  });
  const validateSeconds = new Histogram({
    name: 'et_validate_duration_seconds',
    help: 'Time to answer POST /tokens/validate, by outcome.',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const httpSeconds = new Histogram({
    name: 'et_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route and status class.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.025, 0.1, 0.5, 2.5, 10],
    registers,
  });
  const deliveries = new Counter({
    name: 'et_outbox_deliveries_total',
    help: 'Outbox delivery attempts by destination, kind and outcome (sent, retry, dead, lost).',
    labelNames: ['destination', 'kind', 'outcome'],
    registers,
  });
  const deliveryFailures = new Counter({
    name: 'et_slack_delivery_failures_total',
    help: 'Failed outbox deliveries by destination and failure class (transient, permanent, suspend).',
    labelNames: ['destination', 'class'],
    registers,
  });

  const sse = new Gauge({ name: 'et_sse_clients', help: 'Open Server-Sent Events streams on this instance.', registers });
  const listenerUp = new Gauge({
    name: 'et_event_listener_up',
    help: '1 while the database LISTEN connection (live events across instances) is up.',
    registers,
  });
  const notifications = new Gauge({
    name: 'et_notifications_total',
    help: 'Live-event notifications of committed changes this instance sent after the commit, and those lost to a failed send (counters).',
    labelNames: ['outcome'],
    registers,
  });
  const dbUp = new Gauge({ name: 'et_database_up', help: '1 when the last scrape could read the database.', registers });
  const pool = new Gauge({ name: 'et_db_pool_connections', help: 'node-postgres pool connections by state (total, idle).', labelNames: ['state'], registers });
  const poolWaiting = new Gauge({ name: 'et_db_pool_waiting', help: 'Queries waiting for a pooled connection right now.', registers });
  const outboxPending = new Gauge({
    name: 'et_outbox_pending',
    help: 'Messages waiting in the outbox, by destination (whole installation).',
    labelNames: ['destination'],
    registers,
  });
  const outboxAge = new Gauge({
    name: 'et_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest message waiting in the outbox, by destination (0 when none).',
    labelNames: ['destination'],
    registers,
  });
  const outboxDead = new Gauge({
    name: 'et_outbox_dead_letters',
    help: 'Messages that could not be delivered and wait for an admin (dead letters), by destination.',
    labelNames: ['destination'],
    registers,
  });
  const lockouts = new Gauge({
    name: 'et_lockouts_total',
    help: 'Lockouts so far, by scope (validation, sign-in), from the audit trail (whole installation; a counter).',
    labelNames: ['scope'],
    registers,
  });
  const lockedOut = new Gauge({ name: 'et_locked_out_now', help: 'Attempt counters locked right now (users or sign-in keys).', registers });

  /** Times every request; for validations, also counts the outcome (the error code, when refused). */
  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const status = c.res.status;
    const route = c.req.path.startsWith('/api/') ? routeOf(c) : c.req.path === '/metrics' || c.req.path.endsWith('z') ? c.req.path : 'static';
    httpSeconds.observe({ method: c.req.method, route, status: `${Math.floor(status / 100)}xx` }, seconds);
    if (c.req.method === 'POST' && c.req.path === VALIDATE_PATH) {
      const outcome = status === 200 ? 'success' : ((c.error as { code?: string } | undefined)?.code ?? `http_${status}`);
      validations.inc({ outcome });
      validateSeconds.observe({ outcome }, seconds);
    }
  };

  const onDelivery = (row: Pick<OutboxRow, 'destination' | 'kind'>, outcome: DeliveryOutcome) => {
    deliveries.inc({ destination: row.destination, kind: row.kind, outcome: outcome.outcome });
    if (outcome.outcome === 'retry' || outcome.outcome === 'dead') deliveryFailures.inc({ destination: row.destination, class: outcome.failure.kind });
  };

  /** Reads the installation-wide numbers (one short query each, never failing the scrape). */
  async function refresh(sources: MetricsSources) {
    sse.set(sources.sseClients());
    const db = sources.database as Database & { listening?: () => boolean; poolStats?: () => { total: number; idle: number; waiting: number } };
    listenerUp.set(db.listening ? (db.listening() ? 1 : 0) : 1);
    const told = db.notifications();
    notifications.set({ outcome: 'sent' }, told.sent);
    notifications.set({ outcome: 'dropped' }, told.dropped);
    const stats = db.poolStats?.();
    if (stats) {
      pool.set({ state: 'total' }, stats.total);
      pool.set({ state: 'idle' }, stats.idle);
      poolWaiting.set(stats.waiting);
    }
    try {
      const outbox = await rows<{ destination: string; pending: number; dead: number; age: number }>(
        db.db,
        sql`select destination,
                   count(*) filter (where status = 'pending')::int as pending,
                   count(*) filter (where status = 'dead')::int as dead,
                   coalesce(extract(epoch from now() - min(created_at) filter (where status = 'pending')), 0)::float8 as age
            from outbox where status in ('pending', 'dead') group by destination`,
      );
      outboxPending.reset();
      outboxAge.reset();
      outboxDead.reset();
      for (const d of ['slack', ...outbox.map((o) => o.destination)]) {
        const o = outbox.find((x) => x.destination === d);
        outboxPending.set({ destination: d }, o?.pending ?? 0);
        outboxAge.set({ destination: d }, Number(o?.age ?? 0));
        outboxDead.set({ destination: d }, o?.dead ?? 0);
      }
      const locks = await rows<{ scope: string; n: number }>(
        db.db,
        sql`select coalesce(details->>'scope', 'validation') as scope, count(*)::int as n from audit_events where action = 'lockout' group by 1`,
      );
      lockouts.reset();
      for (const scope of ['validation', ...locks.map((l) => l.scope)]) lockouts.set({ scope }, locks.find((l) => l.scope === scope)?.n ?? 0);
      const [locked] = await rows<{ n: number }>(db.db, sql`select count(*)::int as n from attempt_counters where locked_until > now()`);
      lockedOut.set(locked?.n ?? 0);
      dbUp.set(1);
    } catch {
      dbUp.set(0);
    }
  }

  /** GET /metrics: the text format, for a caller with the bearer token. */
  function handler(sources: MetricsSources, token: string | undefined) {
    const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
    return async (c: Context) => {
      const given = Buffer.from(c.req.header('authorization') ?? '');
      if (!expected) return c.notFound();
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return c.json({ error: { code: 'unauthenticated', message: 'GET /metrics needs Authorization: Bearer $METRICS_TOKEN.' } }, 401, {
          'WWW-Authenticate': 'Bearer',
        });
      }
      await refresh(sources);
      return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    };
  }

  return { registry, middleware, onDelivery, handler, refresh };
}

/** The route pattern (ids folded), so labels stay few. */
function routeOf(c: Context): string {
  const p = c.req.routePath;
  if (p && p !== '*' && p !== '/*' && !p.endsWith('/*')) return p;
  return c.req.path.replace(/\/[0-9a-f-]{36}(?=\/|$)/gi, '/:id').replace(/\/\d+(?=\/|$)/g, '/:n');
}
