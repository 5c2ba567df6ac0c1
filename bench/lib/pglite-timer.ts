// Loaded into a process that runs PGlite (bench/pglite-split.ts: the bench itself, and the server with
// `--import tsx --import ./bench/lib/pglite-timer.ts`): counts each PGlite query and the wall time spent
// inside it, by the statement's first words, beside the process's CPU time. A phase is marked by
// pgliteSplit() in the bench, or SIGUSR2 to the server; each mark appends the phase since the last one to
// PGLITE_SPLIT_OUT as one JSON line and starts afresh.
import { appendFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

export interface PgliteSplitLine {
  label: string;
  cpuMs: number;
  statements: Array<{ statement: string; calls: number; meanMs: number }>;
}

let statements = new Map<string, { calls: number; ms: number }>();
let cpu = process.cpuUsage();

const timed = <F extends (this: PGlite, text: string, ...rest: never[]) => Promise<unknown>>(run: F) =>
  async function (this: PGlite, text: string, ...rest: never[]) {
    const t = performance.now();
    try {
      return await run.call(this, text, ...rest);
    } finally {
      const key = /^\s*(\w+\s+\w+)/.exec(text)?.[1] ?? 'other';
      const s = statements.get(key) ?? { calls: 0, ms: 0 };
      s.calls++;
      s.ms += performance.now() - t;
      statements.set(key, s);
    }
  } as unknown as F;
// query (extended protocol) and exec (simple protocol): the app sends its prepared statements through one or the other.
PGlite.prototype.query = timed(PGlite.prototype.query);
PGlite.prototype.exec = timed(PGlite.prototype.exec);

export function pgliteSplit(label: string): PgliteSplitLine {
  const used = process.cpuUsage(cpu);
  const line: PgliteSplitLine = {
    label,
    cpuMs: (used.user + used.system) / 1000,
    statements: [...statements].map(([statement, s]) => ({ statement, calls: s.calls, meanMs: s.ms / s.calls })),
  };
  if (process.env.PGLITE_SPLIT_OUT) appendFileSync(process.env.PGLITE_SPLIT_OUT, `${JSON.stringify(line)}\n`);
  statements = new Map();
  cpu = process.cpuUsage();
  return line;
}

process.on('SIGUSR2', () => pgliteSplit('server'));
