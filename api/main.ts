// `npm start`: validate the configuration, open the database (migrating it), create the first admin if
// needed, and serve everything on one port.
import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config';
import { createRuntime } from './runtime';

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
  const { logger, firstAdmin } = runtime;
  const server = serve({ fetch: runtime.app.fetch, port: config.port, hostname: config.host }, (info) => {
    const url = config.publicUrl;
    const lines = [
      '',
      `  Emergency Token is running at ${url}  (listening on ${info.address}:${info.port})`,
      `  Database: ${runtime.ctx.database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'Postgres (DATABASE_URL)'}`,
      `  API: ${url}/api/v1  ·  OpenAPI: ${url}/api/v1/openapi.json`,
    ];
    if (firstAdmin?.password) {
      lines.push(`  First start: sign in as "${firstAdmin.username}" with password: ${firstAdmin.password}`, '  (shown once; change it in the app or with `npm run cli -- users set-password`)');
    } else if (firstAdmin) {
      lines.push(`  First start: sign in as "${firstAdmin.username}" with ADMIN_PASSWORD.`);
    } else {
      lines.push('  Sign in with your account; manage accounts with `npm run cli -- users list`.');
    }
    console.log(lines.join('\n') + '\n');
  });
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error('Failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
