// `npm run lint:openapi`: dump the OpenAPI document from the app (scripts/openapi.ts) and lint it with
// Redocly CLI under redocly.yaml (recommended rules, warnings as errors). Exits with Redocly's status.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from './openapi';

const root = fileURLToPath(new URL('..', import.meta.url));
// At a fixed path under the root (dist/ is build output, ignored by git): the ignore file
// (.redocly.lint-ignore.yaml) names the document by its path from the root.
const dir = join(root, 'dist');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'openapi.json');
writeFileSync(file, JSON.stringify(await openApiDocument(), null, 2));
const redocly = join(root, 'node_modules', '.bin', 'redocly');
const run = spawnSync(redocly, ['lint', '--config', join(root, 'redocly.yaml'), file], {
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
rmSync(file, { force: true });
process.exit(run.status ?? 1);
