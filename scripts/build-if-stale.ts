// Builds pwa/dist only when it is missing or older than the PWA's sources, so `npm start` works right
// after `npm install` and costs a few milliseconds when the build is current. Several callers at once
// (parallel e2e files) take turns through a lock directory, so they never write pwa/dist together.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(import.meta.dirname, '..');
const marker = join(root, 'pwa', 'dist', 'index.html');
const sources = [join(root, 'pwa', 'src'), join(root, 'pwa', 'public'), join(root, 'pwa', 'index.html'), join(root, 'pwa', 'vite.config.ts')];
const lock = join(tmpdir(), `et-pwa-build-${createHash('sha1').update(root).digest('hex').slice(0, 12)}.lock`);

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p).reduce((m, f) => Math.max(m, newest(join(p, f))), s.mtimeMs);
}

export function isStale(): boolean {
  if (!existsSync(marker)) return true;
  const built = statSync(marker).mtimeMs;
  return sources.some((s) => newest(s) > built);
}

function withLock<T>(fn: () => T): T {
  const wait = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A holder that died leaves its lock behind; a build takes seconds, so two minutes means stale.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(wait, 0, 0, 100); // block until the holder is done (polled)
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function build(): number {
  console.log('building pwa/dist …');
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'pwa/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
      // Callers such as vitest set NODE_ENV=test, which would make Vite build a non-production bundle
      // (import.meta.env.PROD false: no service worker).
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  return r.status ?? 1;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const force = process.argv.includes('--force');
  if (!force && !isStale()) {
    console.log('pwa/dist is up to date');
  } else {
    // Checked again under the lock: another caller may have just built it.
    process.exit(withLock(() => (force || isStale() ? build() : 0)));
  }
}
