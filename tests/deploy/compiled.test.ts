// The production start: the server and CLI compiled by `npm run build:server` run with plain `node` (no
// tsx, no build at start), in a layout like a deployment's (dist/ beside node_modules and package.json),
// and `npm start`'s pre-check names the command to run when the build is missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../scripts/build-server';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { startCompiled, type Started } from './process';

const ROOT = join(import.meta.dirname, '..', '..');
let app: string;
let db: TestDatabase | undefined;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'et-compiled-'));
  await buildServer(join(app, 'dist'));
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
  // On Postgres the compiled server gets a fresh database of its own (migrated by the server itself).
  if (process.env.DATABASE_URL) db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
  rmSync(app, { recursive: true, force: true });
});

// Starting a real server process (PGlite, migrations) takes seconds, many more on a busy machine.
describe('compiled build', { timeout: 240_000 }, () => {
  it('bundles our sources only: no TypeScript loader, every package left to node_modules', () => {
    const server = readFileSync(join(app, 'dist', 'server.js'), 'utf8');
    expect(server).not.toMatch(/from ["']tsx|import\(["']tsx/);
    expect(server).toMatch(/from ["']@electric-sql\/pglite["']|import\(["']@electric-sql\/pglite["']\)/);
    expect(existsSync(join(app, 'dist', 'migrations', 'meta', '_journal.json'))).toBe(true);
  });

  it('the server starts with plain node, answers /readyz, and stops on SIGTERM with exit 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'et-compiled-data-'));
    const env: Record<string, string> = db?.url ? { DATABASE_URL: db.url, APP_SECRET: 'x'.repeat(40) } : {};
    let server: Started | undefined;
    try {
      server = await startCompiled(app, { DATA_DIR: dataDir, ADMIN_PASSWORD: 'compiled-admin-pw-1', ...env });
      // Plain node: no loader flags.
      expect(server.args).toEqual(['--enable-source-maps', join('dist', 'server.js')]);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', database: db ? 'postgres' : 'pglite' });
      // The API is there too: a real sign-in against the migrated database.
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ username: 'admin', password: 'compiled-admin-pw-1' }),
      });
      expect(login.status).toBe(200);
      expect(await server.stop()).toBe(0);
    } finally {
      server?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the CLI runs with plain node', () => {
    const r = spawnSync(process.execPath, [join(app, 'dist', 'cli.js'), '--help'], { cwd: app, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('npm run cli -- users list');
  });

  it('`npm start` without a build says which command to run, and does not build', () => {
    const bare = mkdtempSync(join(tmpdir(), 'et-nobuild-'));
    try {
      mkdirSync(join(bare, 'scripts'));
      copyFileSync(join(ROOT, 'scripts', 'check-build.mjs'), join(bare, 'scripts', 'check-build.mjs'));
      const r = spawnSync(process.execPath, [join(bare, 'scripts', 'check-build.mjs'), 'server'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('Run `npm run build`');
      expect(existsSync(join(bare, 'dist'))).toBe(false);

      const cli = spawnSync(process.execPath, [join(bare, 'scripts', 'check-build.mjs'), 'cli'], { encoding: 'utf8' });
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain('dist/cli.js');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('package.json starts the compiled server, builds on install, and keeps tsx out of production dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toMatch(/^node .*dist\/server\.js$/);
    expect(pkg.scripts.prestart).toContain('check-build.mjs');
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.engines.node).toBe('^22.12.0 || ^24.0.0');
  });
});
