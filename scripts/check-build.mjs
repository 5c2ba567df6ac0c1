// Runs before `npm start` and `npm run cli` (prestart, precli), in plain JavaScript because it runs
// where no TypeScript toolchain may be installed. The compiled build is never made here: a missing one
// is an error that names the command to run; one older than the sources (a developer's checkout after a
// pull or an edit) is only a warning, because a production install has no sources to compare.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';

const root = join(import.meta.dirname, '..');
const what = process.argv[2] === 'cli' ? 'cli' : 'server';
const needed = [join(root, 'dist', `${what}.js`), ...(what === 'server' ? [join(root, 'pwa', 'dist', 'index.html')] : [])];
const say = (line) => process.stderr.write(`${line}\n`);

const missing = needed.filter((f) => !existsSync(f));
if (missing.length) {
  say(`The compiled build is missing (${missing.map((f) => relative(root, f)).join(', ')}).`);
  say('Run `npm run build` first (a fresh `npm install` runs it for you), then try again.');
  process.exit(1);
}

function newest(path) {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, f) => Math.max(m, newest(join(path, f))), s.mtimeMs);
}
const sources = ['api', 'bot', 'db', 'cli', 'pwa/src'].map((d) => join(root, d));
const built = Math.min(...needed.map((f) => statSync(f).mtimeMs));
if (sources.some((d) => newest(d) > built)) {
  say(
    `warning: the compiled build is older than the sources; run \`npm run build\` to ${what === 'cli' ? 'use' : 'serve'} your changes${what === 'cli' ? ' (or `npm run dev:cli --` to run the TypeScript directly)' : ''}.`,
  );
}
