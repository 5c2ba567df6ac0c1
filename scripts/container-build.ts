// Runs the Dockerfile's build on a host without Docker: the same instructions, in order, with the same
// commands and the same files, each stage in a folder that stands in for its root filesystem. The result
// is the final stage's tree (what the image would hold) and its runtime settings (user, env, workdir,
// healthcheck, command), which tests/container checks by starting the server from it.
//
// What it cannot reproduce, and says so: the base image (commands run with this host's node and npm, so
// run it on the image's Node major), and ownership (`USER`, `--chown`: recorded, not applied). It refuses
// what it cannot run faithfully (ADD, wildcards, absolute paths in RUN) rather than guessing.
//
//   npx tsx scripts/container-build.ts [OUT_DIR]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { DockerfileParser, type Instruction, type JSONInstruction, type ModifiableInstruction, type Property } from 'dockerfile-ast';

const root = join(import.meta.dirname, '..');

export interface Stage {
  name: string;
  base: string;
  /** The folder standing in for this stage's "/". */
  fs: string;
  workdir: string;
  env: Record<string, string>;
  user: string;
  expose: string[];
  volumes: string[];
  healthcheck: { flags: Record<string, string>; command: string[] } | undefined;
  cmd: string[] | undefined;
  stopSignal: string | undefined;
  /** What ran, for the log: one line per instruction. */
  steps: string[];
}

export interface HostBuild {
  stages: Stage[];
  image: Stage;
  /** The major of the base image's Node (node:<major>-...), to compare with the host's. */
  nodeMajor: number | undefined;
}

export interface HostBuildOptions {
  context?: string;
  dockerfile?: string;
  out?: string;
  /** Where `RUN --mount=type=cache,target=<npm cache>` points: the host's npm cache by default. */
  npmCache?: string;
  log?: (line: string) => void;
}

export function buildOnHost(opts: HostBuildOptions = {}): HostBuild {
  const context = resolve(opts.context ?? root);
  const dockerfilePath = resolve(opts.dockerfile ?? join(context, 'Dockerfile'));
  const out = resolve(opts.out ?? mkdtempSync(join(tmpdir(), 'et-image-')));
  const log = opts.log ?? (() => {});
  const npmCache = opts.npmCache ?? hostNpmCache();
  const ignore = dockerignore(context);
  const parsed = DockerfileParser.parse(readFileSync(dockerfilePath, 'utf8'));

  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const expand = (text: string) =>
    text.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!;
      return stage?.env[name] ?? args[name] ?? m;
    });
  const need = (): Stage => {
    if (!stage) throw new Error('an instruction before the first FROM');
    return stage;
  };
  const inFs = (s: Stage, path: string) => join(s.fs, posix.resolve(s.workdir, path));

  for (const ins of parsed.getInstructions()) {
    const keyword = ins.getKeyword();
    const text = ins.getArgumentsContent() ?? '';
    switch (keyword) {
      case 'ARG': {
        const [name, def] = text.split('=', 2) as [string, string | undefined];
        if (def !== undefined && !(name in args)) args[name.trim()] = def.trim();
        break;
      }
      case 'FROM': {
        const words = expand(text).split(/\s+/);
        const name = words[2] && /^as$/i.test(words[1] ?? '') ? words[2] : String(stages.length);
        const fs = join(out, 'stages', name);
        rmSync(fs, { recursive: true, force: true });
        mkdirSync(fs, { recursive: true });
        stage = {
          name,
          base: words[0]!,
          fs,
          workdir: '/',
          env: {},
          user: 'root',
          expose: [],
          volumes: [],
          healthcheck: undefined,
          cmd: undefined,
          stopSignal: undefined,
          steps: [],
        };
        stages.push(stage);
        break;
      }
      case 'WORKDIR': {
        const s = need();
        s.workdir = posix.resolve(s.workdir, expand(text));
        mkdirSync(join(s.fs, s.workdir), { recursive: true });
        break;
      }
      case 'ENV': {
        const s = need();
        for (const p of (ins as unknown as { getProperties(): Property[] }).getProperties()) s.env[p.getName()] = expand(p.getUnescapedValue() ?? '');
        break;
      }
      case 'COPY': {
        const s = need();
        const mod = ins as ModifiableInstruction;
        const flags = Object.fromEntries(mod.getFlags().map((f) => [f.getName(), f.getValue() ?? '']));
        for (const f of Object.keys(flags)) if (!['from', 'chown', 'chmod', 'link'].includes(f)) throw new Error(`COPY --${f} is not supported here`);
        const words = mod.getArguments().map((a) => expand(a.getValue()));
        const dest = words.pop()!;
        if (words.some((w) => /[*?[]/.test(w))) throw new Error(`COPY with a wildcard is not supported here: ${text}`);
        const target = inFs(s, dest);
        const intoDir = dest.endsWith('/') || words.length > 1 || dest === '.';
        for (const src of words) {
          if (flags.from !== undefined) {
            const from = stages.find((x) => x.name === flags.from);
            if (!from) throw new Error(`COPY --from=${flags.from}: no such stage`);
            copyPath(join(from.fs, posix.resolve('/', src)), target, intoDir, () => false);
          } else {
            const abs = resolve(context, src);
            if (relative(context, abs).startsWith('..')) throw new Error(`COPY source outside the context: ${src}`);
            copyPath(abs, target, intoDir, (p) => ignore(relative(context, p)));
          }
        }
        break;
      }
      case 'RUN': {
        const s = need();
        const mod = ins as ModifiableInstruction;
        const env: NodeJS.ProcessEnv = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: process.env.HOME, ...s.env };
        for (const f of mod.getFlags()) {
          if (f.getName() !== 'mount') throw new Error(`RUN --${f.getName()} is not supported here`);
          const o = Object.fromEntries((f.getValue() ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
          if (o.type !== 'cache' || !/\.npm$/.test(o.target ?? '')) throw new Error(`RUN --mount=${f.getValue()}: only the npm cache mount is supported here`);
          env.npm_config_cache = npmCache;
        }
        const command = expand(commandOf(ins));
        // Kept relative to WORKDIR, so running it here touches only the stage's folder.
        if (/(^|[\s=;&|])\/[\w.]/.test(command)) throw new Error(`RUN uses an absolute path, which cannot run on a host: ${command}`);
        const cwd = join(s.fs, s.workdir);
        log(`[${s.name}] RUN ${command}`);
        const r = spawnSync('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
        if (r.status !== 0) throw new Error(`[${s.name}] RUN ${command} failed (exit ${r.status})`);
        break;
      }
      case 'USER':
        need().user = expand(text);
        break;
      case 'EXPOSE':
        need().expose.push(...expand(text).split(/\s+/));
        break;
      case 'VOLUME':
        need().volumes.push(...jsonOrWords(ins, expand));
        break;
      case 'STOPSIGNAL':
        need().stopSignal = expand(text);
        break;
      case 'CMD':
        need().cmd = jsonOrWords(ins, expand);
        break;
      case 'HEALTHCHECK': {
        const mod = ins as ModifiableInstruction;
        const flags = Object.fromEntries(mod.getFlags().map((f) => [f.getName(), f.getValue() ?? '']));
        const json = /\bCMD\s*\[/.test(text) ? (JSON.parse(text.slice(text.indexOf('[', text.search(/\bCMD\b/)))) as string[]) : undefined;
        if (!json) throw new Error('HEALTHCHECK must use the exec form: CMD ["..."]');
        need().healthcheck = { flags, command: json };
        break;
      }
      case 'LABEL':
        break;
      default:
        throw new Error(`${keyword} is not supported here (line ${ins.getRange().start.line + 1})`);
    }
    if (stage && keyword !== 'ARG') stage.steps.push(`${keyword} ${text.replace(/\s*\\\n\s*/g, ' ')}`);
  }
  if (!stage) throw new Error('the Dockerfile has no FROM');
  const major = /^node:(\d+)/.exec(stage.base)?.[1];
  return { stages, image: stage, nodeMajor: major ? Number(major) : undefined };
}

/** The shell form's command text, continuation lines joined as the shell would see them. */
function commandOf(ins: Instruction): string {
  const raw = ins.getRawArgumentsContent() ?? '';
  // Drop the flags (--mount=...) that precede the command.
  return raw
    .replace(/^(\s*--\S+\s+)+/, '')
    .replace(/\\\n/g, ' ')
    .trim();
}

function jsonOrWords(ins: Instruction, expand: (s: string) => string): string[] {
  const strings = (ins as JSONInstruction).getJSONStrings?.() ?? [];
  if (strings.length) return strings.map((s) => expand(s.getJSONValue()));
  return expand(ins.getArgumentsContent() ?? '')
    .split(/\s+/)
    .filter(Boolean);
}

/** Docker's COPY semantics for one source: a folder's contents go into the target folder. */
function copyPath(src: string, target: string, intoDir: boolean, ignored: (path: string) => boolean) {
  const link = lstatSync(src, { throwIfNoEntry: false });
  if (!link) throw new Error(`COPY source not found: ${src}`);
  // Symbolic links are copied as links, as COPY does (node_modules/.bin is made of them).
  if (link.isSymbolicLink() && !intoDir) {
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(readlinkSync(src), target);
    return;
  }
  if (statSync(src).isDirectory()) {
    mkdirSync(target, { recursive: true });
    for (const f of readdirSync(src)) {
      const p = join(src, f);
      if (ignored(p)) continue;
      copyPath(p, join(target, f), false, ignored);
    }
    return;
  }
  const dest = intoDir ? join(target, src.split('/').pop()!) : target;
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(src, dest, { preserveTimestamps: true });
}

/** .dockerignore: one pattern a line, relative to the context, `*`, `**` and `?` globs, `!` re-includes. */
function dockerignore(context: string): (rel: string) => boolean {
  const file = join(context, '.dockerignore');
  if (!existsSync(file)) return () => false;
  const rules = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = posix.normalize(l.replace(/^!/, '').replace(/^\/+/, ''));
      const re = pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/');
      // A pattern also matches everything below a matched folder.
      return { negate, re: new RegExp(`^${re}(/.*)?$`) };
    });
  return (rel) => rules.reduce((ignored, r) => (r.re.test(rel) ? !r.negate : ignored), false);
}

function hostNpmCache(): string {
  const r = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' });
  const dir = r.stdout?.trim();
  return dir && r.status === 0 ? dir : join(process.env.HOME ?? tmpdir(), '.npm');
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const started = Date.now();
  const result = buildOnHost({ out, log: (l) => console.log(l) });
  const host = Number(process.versions.node.split('.')[0]);
  if (result.nodeMajor && result.nodeMajor !== host) console.warn(`note: the image runs Node ${result.nodeMajor}; this host ran the steps with Node ${host}`);
  const { image } = result;
  console.log(
    JSON.stringify(
      {
        root: image.fs,
        workdir: image.workdir,
        user: image.user,
        env: image.env,
        cmd: image.cmd,
        healthcheck: image.healthcheck,
        expose: image.expose,
        volumes: image.volumes,
        seconds: Math.round((Date.now() - started) / 1000),
      },
      null,
      2,
    ),
  );
}
