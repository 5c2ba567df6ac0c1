// Prints the gzipped size of every chunk in pwa/dist (JS, CSS, HTML, service worker), largest first,
// and the JS a staff phone needs for the first screen (the entry chunk and what it imports statically).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, relative } from 'node:path';

const dist = join(import.meta.dirname, '..', 'pwa', 'dist');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
const rows = walk(dist)
  .filter((f) => /\.(js|css|html|webmanifest)$/.test(f))
  .map((f) => {
    const buf = readFileSync(f);
    return { file: relative(dist, f), raw: buf.length, gz: gzipSync(buf, { level: 9 }).length };
  })
  .sort((a, b) => b.gz - a.gz);

const width = Math.max(...rows.map((r) => r.file.length));
console.log(`\n${'chunk'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`);
for (const r of rows) console.log(`${r.file.padEnd(width)}  ${kb(r.raw).padStart(10)}  ${kb(r.gz).padStart(10)}`);

// First screen: the entry script in index.html plus its static imports (not the lazy admin chunk).
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const entry = /<script[^>]+src="\/([^"]+\.js)"/.exec(html)?.[1];
if (entry) {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(join(dist, file), 'utf8');
    for (const m of src.matchAll(/(?:^|[;\s}])import\s*(?:[\w{}\s,*$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) visit(join('assets', m[1]!));
  };
  visit(entry);
  const total = [...seen].reduce((n, f) => n + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
  console.log(`\nfirst screen JS (gzip): ${kb(total)}  [${[...seen].join(', ')}]`);
}
