// The embedded database (PGlite in DATA_DIR) belongs to one process at a time: PGlite is a whole Postgres
// inside the process, and two of them on one data folder would corrupt it. Whoever opens it (the server,
// or a CLI command while the server is stopped) takes DATA_DIR/pglite.lock; anyone else is refused with
// who holds it. The holder also answers on DATA_DIR/control.sock (mode 0600, so only this account can
// ask) with a consistent snapshot of the database, which is how `npm run cli -- backup` copies a running
// server's database without ever opening it itself.
import { createServer, request, type Server } from 'node:http';
import { chmodSync, createWriteStream, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { fingerprint, type Fingerprint, type TxQueryable } from './fingerprint';

export interface LockHolder {
  pid: number;
  host: string;
  /** Kernel start time of the process (Linux), so a recycled pid is not mistaken for the holder. */
  startTicks: string | null;
  command: string;
  since: string;
  /** Where the holder answers snapshot requests, when it does. */
  socket: string | null;
}

export class DataDirBusy extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded database in ${dataDir} is open in another process (pid ${holder.pid}: ${holder.command}, since ${holder.since}). ` +
        'PGlite allows one process at a time: stop that process first (a backup can be taken while the server runs: npm run cli -- backup).',
    );
  }
}

const lockPath = (dataDir: string) => join(dataDir, 'pglite.lock');
export const controlSocketPath = (dataDir: string) => join(dataDir, 'control.sock');
// Unix socket paths are limited to about 107 bytes; a deeper DATA_DIR gets no socket (backups then need
// the server stopped), which the CLI says.
const SOCKET_PATH_MAX = 100;

function startTicks(pid: number): string | null {
  try {
    // Field 22 of /proc/<pid>/stat, counted after the command name (which may contain spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Lock files this process holds now (a lock naming this pid but not held is from an earlier life of the pid). */
const heldHere = new Set<string>();

function alive(h: LockHolder, path: string): boolean {
  if (h.host !== hostname()) return true; // another machine on a shared folder: cannot tell, assume so
  // Same pid: ours if we hold it, else left by an earlier process that had this pid (pid 1 in a container).
  if (h.pid === process.pid) return heldHere.has(path);
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = startTicks(h.pid);
  return now === null || h.startTicks === null || now === h.startTicks;
}

/** The live holder of the embedded database in dataDir, if any (a lock left by a dead process is not). */
export function currentHolder(dataDir: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockHolder;
    return alive(h, lockPath(dataDir)) ? h : null;
  } catch {
    return null;
  }
}

export interface DataDirLock {
  holder: LockHolder;
  /** Serve snapshots on the control socket until released. */
  serveSnapshots(snapshot: () => Promise<Blob>): Promise<void>;
  release(): Promise<void>;
}

/**
 * Take the embedded database for this process, or throw DataDirBusy naming the live holder. With
 * `serveSnapshots` (the server) the lock names the control socket that serveSnapshots() will open.
 */
export function lockDataDir(dataDir: string, opts: { serveSnapshots?: boolean } = {}): DataDirLock {
  const path = lockPath(dataDir);
  const socket = controlSocketPath(dataDir);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startTicks: startTicks(process.pid),
    command: process.argv
      .slice(1)
      .map((a) => a.replace(/^.*\/(?=[^/]+$)/, ''))
      .join(' ')
      .slice(0, 200),
    since: new Date().toISOString(),
    socket: opts.serveSnapshots && socket.length <= SOCKET_PATH_MAX ? socket : null,
  };
  // Written whole to a private file, then linked into place: the lock appears atomically with its
  // content (link fails if one exists), so nobody ever reads a half-written lock.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(holder), { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        heldHere.add(path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const other = currentHolder(dataDir);
      if (other) throw new DataDirBusy(dataDir, other);
      if (attempt >= 2) throw new Error(`could not take ${path}`);
      // Left behind by a process that is gone: set it aside (a rename is atomic, so of two processes
      // clearing it at once only one moves it) and try again.
      const stale = `${path}.stale-${process.pid}`;
      try {
        renameSync(path, stale);
        rmSync(stale, { force: true });
      } catch {
        /* someone else cleared it first */
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }

  let server: Server | undefined;
  let released = false;
  return {
    holder,
    async serveSnapshots(snapshot) {
      if (!holder.socket) return;
      rmSync(holder.socket, { force: true }); // a socket file left by a crashed holder
      server = createServer((req, res) => {
        if (req.method !== 'GET' || req.url !== '/snapshot') {
          res.writeHead(404).end();
          return;
        }
        snapshot()
          .then(async (blob) => {
            const body = Buffer.from(await blob.arrayBuffer());
            res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
          })
          .catch((err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err instanceof Error ? err.message : err)));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(holder.socket!, () => resolve());
      });
      chmodSync(holder.socket, 0o600);
      server.unref();
    },
    async release() {
      if (released) return;
      released = true;
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      if (holder.socket) rmSync(holder.socket, { force: true });
      // Only our own lock: never remove one another process took after us.
      try {
        const now = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
        if (now.pid === holder.pid && now.since === holder.since) rmSync(path, { force: true });
      } catch {
        /* already gone */
      }
      heldHere.delete(path);
    },
  };
}

/** Ask the process holding dataDir for a snapshot and write it to `file` (mode 0600). Returns its size. */
export async function requestSnapshot(socket: string, file: string): Promise<number> {
  const tmp = `${file}.partial`;
  await new Promise<void>((resolve, reject) => {
    const req = request({ socketPath: socket, path: '/snapshot', method: 'GET' }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => reject(new Error(`the server could not take a snapshot (${res.statusCode}): ${text}`)));
        return;
      }
      const out = createWriteStream(tmp, { mode: 0o600 });
      res.pipe(out);
      out.on('finish', () => resolve());
      out.on('error', reject);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  renameSync(tmp, file);
  return statSync(file).size;
}

export const hasControlSocket = (h: LockHolder) => h.socket !== null && existsSync(h.socket);

// ---------------------------------------------------------------------------------------------------------
// Backups of the embedded database: a snapshot is PGlite's own data-folder archive (gzipped tar), taken
// while no statement runs, so it is what a crash at that instant would leave; restoring it replays the
// WAL to the last commit, as Postgres does after a power cut. Open transactions are simply not in it.

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** A consistent snapshot of an open PGlite (checkpointed first, so its restore replays little). */
export async function snapshot(pg: PGlite): Promise<Blob> {
  await pg.query('checkpoint');
  return pg.dumpDataDir('gzip');
}

export function pgliteQueryable(pg: PGlite): TxQueryable {
  return {
    query: (text, params) => pg.query(text, params),
    transaction: (fn) => pg.transaction((tx) => fn({ query: (text, params) => tx.query(text, params) })),
  };
}

export interface Embedded {
  pg: PGlite;
  q: TxQueryable;
  close(): Promise<void>;
}

/** Open the embedded database in dataDir for this process (taking its lock), migrated to this version or not. */
export async function openEmbedded(dataDir: string, opts: { migrate: boolean }): Promise<Embedded> {
  const { PGlite } = await import('@electric-sql/pglite');
  const lock = lockDataDir(dataDir);
  let pg: PGlite | undefined;
  try {
    pg = new PGlite(join(dataDir, 'pglite'));
    await pg.waitReady;
    if (opts.migrate) {
      const { drizzle } = await import('drizzle-orm/pglite');
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(drizzle(pg), { migrationsFolder });
    }
  } catch (err) {
    await pg?.close().catch(() => {});
    await lock.release();
    throw err;
  }
  const opened = pg;
  return {
    pg: opened,
    q: pgliteQueryable(opened),
    async close() {
      if (!opened.closed) await opened.close();
      await lock.release();
    },
  };
}

const writePrivate = (file: string, data: Buffer) => {
  writeFileSync(`${file}.partial`, data, { mode: 0o600 });
  renameSync(`${file}.partial`, file);
};

/**
 * Write a snapshot of the embedded database in dataDir to `file` (mode 0600: it holds patient data).
 * When a server holds the database, the server takes it (over its control socket); otherwise this
 * process opens the database itself, under the same lock.
 */
export async function backupEmbedded(dataDir: string, file: string): Promise<{ bytes: number; via: 'server' | 'direct' }> {
  const holder = currentHolder(dataDir);
  if (holder) {
    if (!hasControlSocket(holder)) throw new DataDirBusy(dataDir, holder);
    return { bytes: await requestSnapshot(holder.socket!, file), via: 'server' };
  }
  if (!existsSync(join(dataDir, 'pglite'))) throw new Error(`no embedded database in ${dataDir}`);
  const db = await openEmbedded(dataDir, { migrate: false });
  try {
    const data = Buffer.from(await (await snapshot(db.pg)).arrayBuffer());
    writePrivate(file, data);
    return { bytes: data.length, via: 'direct' };
  } finally {
    await db.close();
  }
}

/** A backup file opened in memory (nothing on disk is touched): to check it, or to restore it. */
export async function openBackup(file: string): Promise<Embedded> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = new PGlite({ loadDataDir: new Blob([readFileSync(file)]) });
  await pg.waitReady;
  return { pg, q: pgliteQueryable(pg), close: () => pg.close() };
}

export async function inspectBackup(file: string): Promise<Fingerprint> {
  const db = await openBackup(file);
  try {
    return await fingerprint(db.q);
  } finally {
    await db.close();
  }
}

export interface Restored {
  /** What the backup holds (read before anything was replaced). */
  backup: Fingerprint;
  /** What DATA_DIR holds now, read back from disk. */
  restored: Fingerprint;
  /** Where the database that was replaced was moved to (kept, never deleted), if there was one. */
  replaced: string | null;
}

/**
 * Replace the embedded database in dataDir by the backup in `file`. Refused while any process holds the
 * database. The backup is read and fingerprinted first; the current database is moved aside, not deleted;
 * the restored one is read back from disk and fingerprinted again.
 */
export async function restoreEmbedded(dataDir: string, file: string): Promise<Restored> {
  const backup = await inspectBackup(file);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataDir(dataDir);
  let replaced: string | null = null;
  try {
    const live = join(dataDir, 'pglite');
    if (existsSync(live)) {
      replaced = join(dataDir, `pglite.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      renameSync(live, replaced);
    }
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = new PGlite(live, { loadDataDir: new Blob([readFileSync(file)]) });
    await pg.waitReady;
    await pg.close();
  } finally {
    await lock.release();
  }
  const db = await openEmbedded(dataDir, { migrate: false });
  try {
    return { backup, restored: await fingerprint(db.q), replaced };
  } finally {
    await db.close();
  }
}

/** The fingerprint of the embedded database in dataDir (it must not be open elsewhere: stop the server). */
export async function fingerprintEmbedded(dataDir: string): Promise<Fingerprint> {
  if (!existsSync(join(dataDir, 'pglite'))) throw new Error(`no embedded database in ${dataDir}`);
  const db = await openEmbedded(dataDir, { migrate: false });
  try {
    return await fingerprint(db.q);
  } finally {
    await db.close();
  }
}
