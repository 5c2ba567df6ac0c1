// `npm run openapi [-- FILE]`: write the API's OpenAPI document (exactly what GET /api/v1/openapi.json
// serves) to FILE or stdout, without a database. `npm run lint:openapi` lints it with Redocly's
// recommended rules (redocly.yaml).
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createApp } from '../api/app';
import { loadConfig } from '../api/config';
import type { Ctx } from '../api/domain/context';
import type { EventHub } from '../api/http/sse';
import { createLogger } from '../api/logger';

export async function openApiDocument(): Promise<unknown> {
  const config = loadConfig({ APP_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent' });
  // Building the app touches neither the database nor the event hub; only requests would.
  const ctx = { config } as Ctx;
  const app = createApp({ ctx, logger: createLogger('silent'), hub: {} as EventHub, staticRoot: '/nonexistent' });
  const res = await app.request('/api/v1/openapi.json');
  if (res.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`);
  return res.json();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const doc = JSON.stringify(await openApiDocument(), null, 2) + '\n';
  const out = process.argv[2];
  if (out) writeFileSync(out, doc);
  else process.stdout.write(doc);
}
