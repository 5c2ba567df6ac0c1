// `npm run build:server`: compiles the server (with the Slack bot) and the CLI to plain JavaScript in
// dist/, so production runs `node dist/server.js` with no TypeScript toolchain. esbuild bundles our own
// sources (they use extensionless imports, which Node's ESM loader would refuse) and leaves every
// package external: node_modules is installed beside dist/ (production dependencies only), and
// packages such as PGlite load their own files relative to themselves.
//
// Paths the sources resolve from import.meta.url keep working because every output file sits one level
// below the project root, like api/*.ts and db/*.ts: db/client.ts reads ./migrations (copied into
// dist/migrations here) and api/app.ts serves ../pwa/dist (built by `npm run build:pwa`).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');

export const entryPoints = { server: 'api/main.ts', cli: 'cli/main.ts' } as const;

export async function buildServer(outdir = join(root, 'dist')): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: Object.entries(entryPoints).map(([out, src]) => ({ in: src, out })),
    outdir,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: true,
    // Keeps class and function names in logs and stack traces.
    keepNames: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  cpSync(join(root, 'db', 'migrations'), join(outdir, 'migrations'), { recursive: true });
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const outdir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  await buildServer(outdir);
  console.log(`compiled ${Object.values(entryPoints).join(', ')} to ${outdir ?? 'dist'}/`);
}
