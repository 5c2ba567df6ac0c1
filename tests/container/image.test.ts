// The image, built without Docker: scripts/container-build.ts runs the Dockerfile's instructions on this
// host (same commands, same files), then the image's own settings start the server from its tree: its
// CMD with its ENV in its WORKDIR, its HEALTHCHECK command, SIGTERM to stop. Checks what an operator
// relies on: production dependencies only, compiled code only, a non-root user, nothing written outside
// the data volume (read-only root), a healthy /readyz, the app at /, exit 0 on SIGTERM.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnHost, type HostBuild } from '../../scripts/container-build';
import { startCompiled, type Started } from '../deploy/process';

let build: HostBuild;
let app: string;

beforeAll(() => {
  build = buildOnHost({ log: (l) => console.log(l) });
  app = join(build.image.fs, build.image.workdir);
});
afterAll(() => {
  if (build) rmSync(join(build.image.fs, '..', '..'), { recursive: true, force: true });
});

/** Every file under dir with its size and modification time, to see whether anything was written. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      out.set(p, `${s.size}:${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

describe('the image built on the host from the Dockerfile', () => {
  it('holds compiled code and production dependencies only, for a non-root user', () => {
    expect(build.stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(build.image.user).toBe('node');
    expect(build.image.workdir).toBe('/app');
    for (const f of ['dist/server.js', 'dist/cli.js', 'dist/migrations/meta/_journal.json', 'pwa/dist/index.html', 'package.json'])
      expect(existsSync(join(app, f)), f).toBe(true);
    for (const src of ['api', 'bot', 'cli', 'db', 'tests', 'scripts', 'pwa/src']) expect(existsSync(join(app, src)), src).toBe(false);
    const modules = readdirSync(join(app, 'node_modules'));
    for (const runtime of ['pg', 'hono', 'pino', 'drizzle-orm', '@electric-sql', '@slack']) expect(modules).toContain(runtime);
    for (const dev of ['tsx', 'typescript', 'vite', 'vitest', 'esbuild', 'eslint', 'drizzle-kit', 'playwright-core']) expect(modules).not.toContain(dev);
    const dataDir = join(build.image.fs, build.image.env.DATA_DIR!);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(build.image.volumes).toEqual([build.image.env.DATA_DIR]);
  });

  it('starts with its CMD, is healthy by its HEALTHCHECK, serves the app, writes only to DATA_DIR, and stops on SIGTERM with 0', async () => {
    const { image } = build;
    const before = snapshot(app);
    // The image's environment, with DATA_DIR mapped into the image's tree and a free port for the test.
    const env = { ...image.env, DATA_DIR: join(image.fs, image.env.DATA_DIR!), ADMIN_PASSWORD: 'container-admin-pw-1' };
    let server: Started | undefined;
    try {
      server = await startCompiled(app, env, image.cmd!);
      const port = new URL(server.url).port;
      const [bin, ...hcArgs] = image.healthcheck!.command;
      const hc = spawnSync(bin === 'node' ? process.execPath : bin!, hcArgs, { env: { ...process.env, ...image.env, PORT: port }, encoding: 'utf8' });
      expect(hc.status, hc.stderr).toBe(0);
      // The same check fails when nothing answers, so it is not a check that always passes.
      const down = spawnSync(process.execPath, hcArgs, { env: { ...process.env, PORT: '1' }, encoding: 'utf8' });
      expect(down.status).toBe(1);

      const home = await fetch(`${server.url}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('<div id="app"');
      expect(await server.stop()).toBe(0);
    } finally {
      server?.kill();
    }
    // Read-only root friendly: the server wrote nothing under its WORKDIR (only DATA_DIR and /tmp).
    const after = snapshot(app);
    expect([...after].filter(([p, v]) => before.get(p) !== v).map(([p]) => posix.relative(app, p))).toEqual([]);
    expect(readdirSync(env.DATA_DIR).length).toBeGreaterThan(0);
  });
});
