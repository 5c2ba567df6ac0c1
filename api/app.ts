// The one Hono app: API under /api/v1, health probes, Slack at /slack/events, and the PWA at /.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Ctx } from './domain/context';
import { bodyLimit } from './http/body-limit';
import { addVary, COMPRESSIBLE, compressJson } from './http/compress';
import { Health } from './health';
import type { AppEnv } from './http/env';
import { errorResponse, onError, UNAVAILABLE_RETRY_SECONDS, validationHook } from './http/errors';
import { clientIp, jsonAndSameOrigin } from './http/guards';
import { requestContext } from './http/request-id';
import { loadSession } from './http/session';
import type { EventHub } from './http/sse';
import type { Metrics } from './metrics';
import type { Logger } from './logger';
import { registerAudit } from './routes/audit';
import { registerAuth } from './routes/auth';
import { registerEmergency } from './routes/emergency';
import { registerReadinessDoc, type Readiness } from './routes/readiness';
import { registerDeadLetters } from './routes/dead-letters';
import { registerEvents } from './routes/events';
import type { DeliveryStatus } from './routes/schemas';
import { registerGrants } from './routes/grants';
import { registerSecurityScheme } from './routes/helpers';
import { registerMonitoring } from './routes/monitoring';
import { registerRequests } from './routes/requests';
import { registerSettings } from './routes/settings';
import { registerTokens } from './routes/tokens';
import { registerUsers } from './routes/users';

export interface SlackEndpoint {
  handle(c: Context): Promise<Response>;
}

export interface AppDeps {
  ctx: Ctx;
  logger: Logger;
  hub: EventHub;
  /** The parts /readyz reports (runtime.ts); without it, the database alone. */
  health?: Health;
  slack?: SlackEndpoint | undefined;
  /** How Slack and the outbox stand: /readyz detail (it never decides readiness) and the dead-letter list. */
  delivery?: () => Promise<DeliveryStatus>;
  /** Folder of the built PWA; defaults to pwa/dist. */
  staticRoot?: string;
  /** Prometheus metrics (api/metrics.ts): timed requests and GET /metrics. */
  metrics?: Metrics;
}

const BODY_LIMIT = 64 * 1024;
const tooLarge = (c: Context) => errorResponse(c, 'payload_too_large', 'The request body is too large.');
// OpenAPI 3.1 license (an SPDX reference for a licence of our own; the 3.0 types lack `identifier`).
const LICENSE = { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' };
const noDelivery = async (): Promise<DeliveryStatus> => ({
  slack: { state: 'off', reason: null, since: null },
  pending: 0,
  oldestPendingSeconds: null,
  oldestDueSeconds: null,
  dead: 0,
  worker: null,
});

export function createApp(deps: AppDeps) {
  const health = deps.health ?? databaseOnly(deps.ctx);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use('*', requestContext(deps));
  app.use('*', requestLog);
  if (deps.metrics) app.use('*', deps.metrics.middleware);
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        workerSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
      strictTransportSecurity: deps.ctx.config.publicUrl.startsWith('https:') ? 'max-age=31536000; includeSubDomains' : false,
    }),
  );
  app.use('*', clientIp);
  app.onError(onError);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (deps.metrics) app.get('/metrics', deps.metrics.handler({ database: deps.ctx.database, sseClients: () => deps.hub.size }, deps.ctx.config.metricsToken));
  app.get('/readyz', async (c) => {
    const { status, parts } = await health.report();
    if (status === 'unavailable') {
      c.header('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
      return c.json({ status, database: deps.ctx.database.kind, parts }, 503);
    }
    const delivery = await deps.delivery?.().catch(() => undefined);
    const detail = delivery && delivery.slack.state !== 'off' ? (({ slack, ...outbox }) => ({ slack, outbox }))(delivery) : {};
    return c.json({ status, database: deps.ctx.database.kind, parts, ...detail } satisfies Readiness);
  });

  if (deps.slack) {
    const slack = deps.slack;
    app.post('/slack/events', bodyLimit(BODY_LIMIT, tooLarge), (c) => slack.handle(c));
  }

  const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  api.use('*', bodyLimit(BODY_LIMIT, tooLarge));
  api.use('*', jsonAndSameOrigin);
  api.use('*', loadSession);
  api.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });
  api.use('*', compressJson);
  registerAuth(api);
  registerUsers(api);
  registerTokens(api);
  registerEmergency(api);
  registerGrants(api);
  registerRequests(api);
  registerMonitoring(api);
  registerSettings(api);
  registerAudit(api);
  registerEvents(api, deps.hub);
  registerSecurityScheme(api);
  registerDeadLetters(api, deps.delivery ?? noDelivery);
  registerReadinessDoc(api);
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Emergency Token API',
      version: '1.0.0',
      description:
        'Break-the-glass emergency access with single-use tokens. Contract: shared/spec/api.md. Each operation says who may call it in `x-required-role` (anyone, signed-in, admin, super_admin).',
      license: LICENSE,
    },
    servers: [{ url: '/api/v1' }],
  });
  api.notFound((c) => errorResponse(c, 'not_found', 'No such endpoint.'));
  api.onError(onError);
  app.route('/api/v1', api);
  app.all('/api/*', (c) => errorResponse(c, 'not_found', 'No such endpoint.'));

  mountPwa(app, deps.staticRoot ?? fileURLToPath(new URL('../pwa/dist', import.meta.url)), deps.logger);
  app.notFound((c) => errorResponse(c, 'not_found', 'Not found.'));
  return app;
}

function mountPwa(app: OpenAPIHono<AppEnv>, root: string, logger: Logger) {
  if (!existsSync(root)) {
    logger.warn({ root }, 'PWA not built: run `npm run build` to serve the app at /');
    return;
  }
  // The service worker and the shell must be revalidated, or a new version never reaches phones.
  app.use('*', async (c, next) => {
    await next();
    const p = c.req.path;
    if (p === '/' || p.endsWith('.html') || p === '/sw.js' || p.endsWith('.webmanifest')) c.res.headers.set('Cache-Control', 'no-cache');
    else if (p.startsWith('/assets/')) c.res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
    if (COMPRESSIBLE.test(c.res.headers.get('Content-Type') ?? '')) addVary(c.res.headers);
  });
  // Built with a .br and a .gz beside each text file (pwa/vite.config.ts): sent as the client accepts.
  app.use('*', serveStatic({ root, precompressed: true }));
  // Client-side routes (/login, /admin/...) all load the shell.
  app.get('*', serveStatic({ root, path: 'index.html', precompressed: true }));
}

async function requestLog(c: Context<AppEnv>, next: () => Promise<void>) {
  const started = performance.now();
  await next();
  // Path only: query strings can carry one-time sign-in codes. The request's logger carries its id.
  c.get('logger').info(
    { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started), user: c.get('user')?.id },
    'request',
  );
}

function databaseOnly(ctx: Ctx): Health {
  const health = new Health();
  health.add({ name: 'database', critical: true, status: () => ctx.database.ping().then(() => 'up' as const) });
  return health;
}
