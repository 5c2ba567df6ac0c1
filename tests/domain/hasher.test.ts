// Password hashing runs on its own threads at a low CPU priority (nice 10 on Linux), so a sign-in flood
// yields the CPU to bedside validation; hashes still check, and a script awaiting one still finishes.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../api/domain/crypto';

/** Nice value of each thread of this process (field 19 of /proc/self/task/<tid>/stat). */
const niceOfThreads = () =>
  readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), nice: Number(fields[16]) };
  });

describe('password hashing threads', () => {
  it('hash and verify on the hashing thread', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('wrong horse', stored)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('run at nice 10 while the thread serving requests keeps its own priority', async () => {
    await hashPassword('warm the thread up');
    const threads = niceOfThreads();
    const main = threads.find((t) => t.tid === process.pid);
    expect(main?.nice).toBe(0);
    expect(threads.filter((t) => t.nice === 10)).toHaveLength(1);
  });

  it('a script that awaits a hash runs to its end (an idle hashing thread never holds the process, a busy one does)', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script = `import { hashPassword } from './api/domain/crypto.ts'; const h = await hashPassword('x'); console.log(h.startsWith('scrypt$') ? 'hashed' : 'no');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect({ status: run.status, out: run.stdout.trim() }).toEqual({ status: 0, out: 'hashed' });
  });
});
