// Password hashing (scrypt) on threads of its own at a low CPU priority. A sign-in flood keeps
// these busy; on a small host (two cores) they would otherwise take a core from bedside validation, which
// shares the machine with them (and, with the embedded database, the process). At nice 10 the kernel
// gives validation the CPU first, so a flood slows sign-ins, not validations.
// Nice values are per thread on Linux: the thread lowers its own. Elsewhere they run at normal priority.
import { Worker } from 'node:worker_threads';

/**
 * Nice 10: about a tenth of a core when validation (nice 0) wants it all, the whole core when it does
 * not. Not 19: on a host busy with other work, sign-ins would take seconds.
 */
const HASH_NICE = 10;

// Plain CommonJS, evaluated as the worker's script: no file to locate from source, tests or the bundle.
const SOURCE = `
const NICE = ${HASH_NICE};
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, NICE);
} catch {}
parentPort.on('message', ({ id, password, salt, keylen, options }) => {
  try {
    parentPort.postMessage({ id, key: scryptSync(password, salt, keylen, options) });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

type Reply = { id: number; key?: Uint8Array; error?: string };

class HashThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (key: Buffer) => void; reject: (err: Error) => void }>();
  private seq = 0;
  dead = false;

  constructor() {
    // None of the process's own flags (--input-type=module would make SOURCE a module; loaders are not needed).
    this.worker = new Worker(SOURCE, { eval: true, execArgv: [] });
    this.worker.on('message', (r: Reply) => {
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (r.key) w?.resolve(Buffer.from(r.key));
      else w?.reject(new Error(r.error ?? 'scrypt failed'));
    });
    const fail = (err: unknown) => {
      this.dead = true;
      for (const w of this.waiting.values()) w.reject(err instanceof Error ? err : new Error(String(err)));
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('password hashing thread exited')));
    // An idle hashing thread never keeps the process alive; one with work does (a CLI awaiting a hash).
    // Set after the listeners: adding one refs the thread again.
    this.worker.unref();
  }

  scrypt(password: string, salt: Buffer, keylen: number, options: object): Promise<Buffer> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, password, salt, keylen, options });
    });
  }
}

/** Threads started on first use, one per slot of the caller's limiter; a thread that died is replaced. */
export class Hasher {
  private readonly threads: HashThread[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  scrypt(password: string, salt: Buffer, keylen: number, options: object): Promise<Buffer> {
    const i = this.next++ % this.size;
    if (!this.threads[i] || this.threads[i].dead) this.threads[i] = new HashThread();
    return this.threads[i].scrypt(password, salt, keylen, options);
  }
}
