// `npm start`: validate the configuration, open the database (migrating it), create the first admin if
// needed, and serve everything on one port. SIGTERM (or SIGINT) stops it gracefully.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { ConfigError, loadConfig, type Config } from './config';
import { safeError } from './logger';
import { createRuntime, type Runtime } from './runtime';

/** A stop must be over well within the 10 s most supervisors wait before they kill. */
const STOP_DEADLINE_MS = 9000;

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const { createSlackBot } = await import('../bot/index').catch(() => ({ createSlackBot: undefined }));
  const runtime = await createRuntime(config, { createBot: createSlackBot });
  const server = serve({ fetch: runtime.app.fetch, port: config.port, hostname: config.host }, (info) => {
    console.log(startBanner(config, runtime, `${info.address}:${info.port}`));
  }) as Server;

  let stopping = false;
  // Requests being answered. Once stopping, every answer not yet begun says `Connection: close`, so no
  // client sends another request on a connection that is about to close.
  const answering = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping) return void res.setHeader('Connection', 'close');
    answering.add(res);
    res.once('close', () => answering.delete(res));
  });
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const { logger } = runtime;
    const deadline = setTimeout(() => {
      logger.error('could not stop within the deadline; exiting anyway');
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    // Stop accepting, end the event streams (their clients reconnect to another instance), and let
    // requests in flight finish; idle kept-alive connections are closed as they become idle.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Said once the listening socket is closed, so it is true when read (a supervisor may act on it).
    logger.info({ signal }, 'stopping: no new connections; finishing requests in flight');
    for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close');
    runtime.hub.endAll('shutdown');
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    await closed;
    clearInterval(idle);
    // Then background work (the outbox worker finishes the message it holds), the bot and the database.
    await runtime.close();
    logger.info('stopped');
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function startBanner(config: Config, runtime: Runtime, listening: string): string {
  const url = config.publicUrl;
  const { firstAdmin } = runtime;
  const lines = [
    '',
    `  Emergency Token is running at ${url}  (listening on ${listening})`,
    `  Database: ${runtime.ctx.database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'Postgres (DATABASE_URL)'}`,
    `  API: ${url}/api/v1  ·  OpenAPI: ${url}/api/v1/openapi.json`,
  ];
  if (firstAdmin?.password && process.stdout.isTTY) {
    lines.push(
      `  First start: sign in as "${firstAdmin.username}" with password: ${firstAdmin.password}`,
      '  (shown once; change it in the app or with `npm run cli -- users set-password`)',
    );
  } else if (firstAdmin?.password) {
    // Output that is not a terminal ends up in log files and collectors: the password goes to a file
    // only this account can read.
    const file = join(config.dataDir, 'first-admin-password');
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${firstAdmin.password}\n`, { mode: 0o600 });
    lines.push(
      `  First start: sign in as "${firstAdmin.username}" with the password in ${file} (mode 0600).`,
      '  Delete that file once you have changed the password in the app or with `npm run cli -- users set-password`.',
    );
  } else if (firstAdmin) {
    lines.push(`  First start: sign in as "${firstAdmin.username}" with ADMIN_PASSWORD.`);
  } else {
    lines.push('  Sign in with your account; manage accounts with `npm run cli -- users list`.');
  }
  return lines.join('\n') + '\n';
}

main().catch((err) => {
  const safe = safeError(err);
  console.error('Failed to start:', typeof safe === 'string' ? safe : (safe.message ?? JSON.stringify({ ...safe, stack: undefined })));
  process.exit(1);
});
