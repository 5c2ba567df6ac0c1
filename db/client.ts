// One database handle, two drivers: node-postgres when DATABASE_URL is set, embedded PGlite otherwise.
// Both get the same schema, the same migrations and the same LISTEN/NOTIFY.
import fs, { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import * as schema from './schema';
import { pipeline } from 'node:stream';
import { lockDataDir, snapshot, type DataDirLock } from './embedded';
import { CopyValues } from './copy-out';
import { Notifier, NOTIFY_BATCH_SQL, type NotifierStats } from './notifier';
import type { BoundStatement } from './statement';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that runs queries: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Subscribe to a NOTIFY channel; returns the unsubscribe function. Subscriptions survive reconnects. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Called each time the LISTEN connection is back after a loss. Notifications sent while it was down are
   * gone, so subscribers should refetch what they show.
   */
  onResume(callback: () => void): () => void;
  /** Whether notifications are being received right now. */
  listening(): boolean;
  /**
   * Sends a NOTIFY for a change that has already committed (db/notifier.ts): after the statement that made
   * it returned, never from inside an open transaction. Queued and sent with the others made meanwhile, in
   * one transaction per batch; a failed send is reported to onNotifyError and counted, never thrown.
   */
  notifyCommitted(channel: string, payload: string): void;
  /** What notifyCommitted has sent, in how many transactions, and lost (metrics). */
  notifications(): NotifierStats;
  ping(): Promise<void>;
  /**
   * Runs one autocommit statement as a prepared statement: parsed and planned once per connection and
   * then only executed (named statements on node-postgres; PREPARE/EXECUTE on PGlite). For the per-request
   * hot paths (validation, the session lookup), where planning costs more than the work. Its key says what
   * it is and stands for its text (db/statement.ts); statements whose text differs (configuration, number of
   * values) are prepared separately.
   * Given an open transaction (`ex`), runs on that transaction's connection, inside it; without one (or
   * given the database itself), as its own autocommit statement.
   */
  prepared<T>(statement: BoundStatement, ex?: Executor): Promise<T[]>;
  /**
   * node-postgres only: `COPY (query) TO STDOUT` of a query with one non-null text column, as that column's
   * bytes back to back (db/copy-out.ts). It runs on a connection of a pool of its own, at most
   * COPY_CONNECTIONS at a time, so a long export never holds a connection the requests (the bedside
   * path) need; null when all of them are busy (the caller takes its ordinary path). The query's values are
   * inlined as quoted literals (COPY takes no bind parameters). Destroying the stream (a client gone) ends
   * the statement and drops its connection. With `render`, the query has two columns, one of them null per
   * row: the first is sent as it is, the second through `render` (CopyValues).
   */
  copyOut?(query: SQL, render?: (value: Buffer) => Buffer): Promise<AsyncGenerator<Buffer> | null>;
  /** node-postgres pool: connections open, idle, and queries waiting for one (metrics); `copies`: COPY connections in use. */
  poolStats?(): { total: number; idle: number; waiting: number; copies: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** The owner role's URL: migrations run as it, the pool as databaseUrl (least privilege). */
  migrationUrl?: string | undefined;
  dataDir: string;
  /** Pool size for node-postgres. */
  poolSize?: number;
  /** How long a query may wait for a pooled connection before it fails as unavailable (node-postgres). */
  acquireTimeoutMs?: number;
  /** Called when the LISTEN connection fails or cannot be reopened (it keeps retrying by itself). */
  onListenError?: (err: unknown) => void;
  /** Called when the LISTEN connection is open again after a loss. */
  onListenResume?: () => void;
  /** Called when a pooled connection fails, idle or checked out (the pool replaces it by itself). */
  onPoolError?: (err: unknown) => void;
  /** Called when notifications of committed changes could not be sent (`lost` of them). */
  onNotifyError?: (err: unknown, lost: number) => void;
}

/** node-postgres pool defaults, also DATABASE_POOL_SIZE's and DATABASE_ACQUIRE_TIMEOUT_MS's (api/config.ts). */
export const POOL_DEFAULTS = { size: 20, acquireTimeoutMs: 5000 } as const;

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
// Any constant: serialises migrations when several instances start at once on one Postgres.
const MIGRATION_LOCK = 7_341_001;
/**
 * Connections for `copyOut` (the CSV and NDJSON exports), per instance, on top of DATABASE_POOL_SIZE. Two let a second
 * admin export while one runs; more exports at once take the batched path on the request pool.
 */
export const COPY_CONNECTIONS = 2;
/** How the copy connections name themselves in pg_stat_activity (the audit shipper looks past them). */
export const COPY_APPLICATION_NAME = 'et-copy-out';
// Reconnect delays for the LISTEN connection: from 250 ms doubling to 2 s, with jitter, for as long as
// it takes. Short enough that events flow again within seconds of the database returning.
const LISTEN_RETRY_MS = { first: 250, max: 2000 };

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPglite(opts.dataDir, opts);
}

/**
 * The database cannot be reached right now (down, restarting, failing over, read-only after a failover,
 * out of connections, or no pooled connection within the acquire timeout). Callers answer 503 and
 * retry later; nothing else about the request was wrong.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    // SQLSTATE class 08 (connection exception), 57P01-03 (shutdown, crash, starting up), 53300 (too
    // many connections), 25006 (read-only: a writer that reached a standby during failover).
    if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300', '25006'].includes(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
    if (/timeout exceeded when trying to connect|Connection terminated|not queryable|Client was closed|connection is closed/i.test(message)) return true;
  }
  return false;
}

async function openPostgres(url: string, opts: DatabaseOptions): Promise<Database> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const onPoolError = opts.onPoolError ?? (() => {});
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? POOL_DEFAULTS.size,
    // A query waits at most this long for a connection, then fails as unavailable (503): never a hang.
    connectionTimeoutMillis: opts.acquireTimeoutMs ?? POOL_DEFAULTS.acquireTimeoutMs,
    // Notice a peer that vanished without a reset (failover to another host).
    keepAlive: true,
    // No JIT: the server's statements are short index reads whose estimates can cross jit_above_cost (the
    // top users ranking estimated its edge ranges large and spent ~35 ms compiling for ~1.5 ms of work).
    // A URL with its own `options` parameter replaces this (pg lets the URL win).
    options: '-c jit=off',
  });
  // A connection dropped by the server (restart, failover, terminated backend) emits 'error'. The pool
  // listens only while a client is idle; a client checked out (inside a transaction) without a listener
  // would crash the process. So every client gets its own listener for its whole life; the query in
  // flight fails on its own and the pool discards the broken client on release.
  pool.on('connect', (client) => client.on('error', onPoolError));
  pool.on('error', onPoolError);
  const db = drizzle(pool, { schema }) as unknown as Db;

  // Migrations as the owner when there is a separate owner role, else as the pool's role.
  const owner = opts.migrationUrl ? new pg.Pool({ connectionString: opts.migrationUrl, max: 2, connectionTimeoutMillis: opts.acquireTimeoutMs ?? 5000 }) : pool;
  try {
    const lock = await owner.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migrate(drizzle(owner, { schema }), { migrationsFolder });
    } finally {
      await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      lock.release();
    }
  } catch (err) {
    if (owner !== pool) await owner.end().catch(() => {});
    await pool.end().catch(() => {});
    throw err;
  }
  if (owner !== pool) await owner.end();

  let closed = false;
  let copies = 0;
  // The COPY streams under way, ended at close (a pool does not end while a connection is out).
  const copying = new Set<CopyValues>();
  // Made on the first export. Read-only sessions: a COPY connection never writes, which is what lets the
  // audit shipper leave its snapshots out of the transactions it waits for (audit-stream.ts).
  let copyPool: import('pg').Pool | undefined;
  const copyConnection = () => {
    if (!copyPool) {
      copyPool = new pg.Pool({
        connectionString: url,
        max: COPY_CONNECTIONS,
        connectionTimeoutMillis: opts.acquireTimeoutMs ?? POOL_DEFAULTS.acquireTimeoutMs,
        keepAlive: true,
        application_name: COPY_APPLICATION_NAME,
        // No JIT: the exports' rendering expressions are large, and compiling them took seconds before the
        // first row (2.6-5.9 s for the NDJSON query on 200k events) for no gain on a one-pass scan.
        // work_mem 64MB: the NDJSON query keeps each person's rendered part (Memoize, up to twice work_mem),
        // enough for ~100k people; with the default 4MB it held ~10k and re-rendered the rest on every event.
        options: '-c default_transaction_read_only=on -c standard_conforming_strings=on -c jit=off -c work_mem=64MB',
      });
      copyPool.on('connect', (client) => client.on('error', onPoolError));
      copyPool.on('error', onPoolError);
    }
    return copyPool.connect();
  };
  const listener = new PgListener(() => new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5000 }), opts);
  const notifier = new Notifier(async (batch) => {
    await pool.query(NOTIFY_BATCH_SQL, [JSON.stringify(batch)]);
  }, opts.onNotifyError);

  return {
    db,
    kind: 'postgres',
    listen: (channel, onPayload) => listener.listen(channel, onPayload),
    onResume: (callback) => listener.onResume(callback),
    listening: () => listener.up,
    notifyCommitted: (channel, payload) => notifier.notify(channel, payload),
    notifications: () => ({ ...notifier.stats }),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, copies }),
    async copyOut(query: SQL, render?: (value: Buffer) => Buffer) {
      if (copies >= COPY_CONNECTIONS) return null;
      const { sql: text, params } = dialect.sqlToQuery(query);
      const inlined = text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
      copies++;
      let client: import('pg').PoolClient;
      try {
        client = await copyConnection();
      } catch (err) {
        copies--;
        throw err;
      }
      const { to } = await import('pg-copy-streams');
      const out = new CopyValues(render);
      copying.add(out);
      // Ends when the COPY ends, fails, or the reader stops (out destroyed). A connection left mid-COPY
      // cannot be reused: it is closed, and Postgres ends the statement when it next writes to it.
      pipeline(client.query(to(`copy (${inlined}) to stdout (format binary)`)), out, (err) => {
        copying.delete(out);
        copies--;
        client.release(err ?? undefined);
      });
      const chunks = out[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      // The first chunk (or the statement's error) before the stream is handed out, so a failure is an
      // error of this call, before the caller has answered 200.
      const first = await chunks.next();
      return (async function* () {
        try {
          if (!first.done) yield first.value;
          for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
        } finally {
          out.destroy();
        }
      })();
    },
    async prepared<T>({ key, text, values }: BoundStatement, ex?: Executor) {
      // node-postgres prepares a named statement once per connection and afterwards only binds and runs it.
      const target = ex && ex !== db ? (connectionOf(ex) as import('pg').PoolClient) : pool;
      const res = await target.query({ name: key, text, values });
      return res.rows as T[];
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await notifier.drain();
      await listener.close();
      for (const out of copying) out.destroy(new Error('the database is closing'));
      await copyPool?.end();
      await pool.end();
    },
  };
}

type PgClient = import('pg').Client;

/**
 * One dedicated connection carries every LISTEN. When it drops it is reopened with backoff for as long as
 * it takes, every channel is subscribed again, and the resume callbacks run (notifications sent
 * meanwhile were lost; subscribers refetch).
 */
class PgListener {
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly resumeCallbacks = new Set<() => void>();
  private client: PgClient | null = null;
  private started: Promise<void> | null = null;
  private connecting: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private closed = false;
  private lost = false;
  up = false;

  constructor(
    private readonly newClient: () => PgClient,
    private readonly opts: Pick<DatabaseOptions, 'onListenError' | 'onListenResume'>,
  ) {}

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const isNew = !this.handlers.has(channel);
    if (isNew) this.handlers.set(channel, new Set());
    this.handlers.get(channel)!.add(onPayload);
    if (!this.started) {
      // The first subscription opens the connection and waits for it, so a start-up problem is seen at
      // start; after that a lost connection is reopened in the background.
      this.started = this.connectOnce();
      await this.started.catch((err) => {
        this.started = null;
        throw err;
      });
    } else {
      await this.started.catch(() => {});
      // LISTEN twice is harmless; while the connection is down, the reconnect subscribes every channel.
      const client = this.client;
      if (isNew && client) await client.query(`LISTEN ${quoteIdent(channel)}`).catch((err) => this.drop(client, err));
    }
    return async () => {
      this.handlers.get(channel)?.delete(onPayload);
    };
  }

  onResume(callback: () => void): () => void {
    this.resumeCallbacks.add(callback);
    return () => this.resumeCallbacks.delete(callback);
  }

  private async connectOnce(): Promise<void> {
    const client = this.newClient();
    client.on('notification', (msg) => {
      for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    client.on('error', (err) => this.drop(client, err));
    client.on('end', () => this.drop(client, new Error('LISTEN connection ended')));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.up = true;
    if (this.lost) {
      this.lost = false;
      this.opts.onListenResume?.();
      for (const cb of this.resumeCallbacks) cb();
    }
  }

  private drop(client: PgClient, err: unknown) {
    if (client !== this.client) return;
    this.client = null;
    this.up = false;
    this.lost = true;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    this.opts.onListenError?.(err);
    this.reconnect();
  }

  private reconnect() {
    if (this.closed || this.connecting) return;
    this.connecting = (async () => {
      let delay = LISTEN_RETRY_MS.first;
      while (!this.closed && !this.client) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay * (0.5 + Math.random() / 2));
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
        if (this.closed) break;
        try {
          await this.connectOnce();
        } catch (err) {
          this.opts.onListenError?.(err);
          delay = Math.min(delay * 2, LISTEN_RETRY_MS.max);
        }
      }
    })().finally(() => (this.connecting = null));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.connecting;
    const client = this.client;
    this.client = null;
    this.up = false;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}

async function openPglite(dataDir: string, opts: Pick<DatabaseOptions, 'onNotifyError'> = {}): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  let client: InstanceType<typeof PGlite>;
  let lock: DataDirLock | undefined;
  if (dataDir === ':memory:') {
    client = new PGlite();
  } else {
    makePrivate(dataDir);
    // One process at a time on an embedded database; the holder answers backups (db/embedded.ts).
    lock = lockDataDir(dataDir, { serveSnapshots: true });
    client = new PGlite(join(dataDir, 'pglite'));
  }
  const db = drizzle(client, { schema });
  const preparedHere = new Map<string, Promise<void>>();
  // Statements prepared from inside a transaction, under their own names: the transaction holds the
  // instance, so it cannot wait for a PREPARE queued outside it (that would wait for the transaction).
  const preparedInTx = new Set<string>();
  try {
    await client.waitReady;
    await migrate(db, { migrationsFolder });
    await lock?.serveSnapshots(() => snapshot(client));
  } catch (err) {
    await client.close().catch(() => {});
    await lock?.release();
    throw err;
  }
  // Whoever listens to an embedded database is in this process (its directory is locked to it), so what
  // has committed is handed to the listeners here rather than sent through Postgres: on the one
  // connection a NOTIFY was one more statement after every validation, 15-20 % of its time in-process
  // (bench/notes.md, "PGlite: announcements handed over in-process"). NOTIFYs that statements send
  // (the sessions trigger, events published inside a transaction) still arrive through PGlite's LISTEN.
  const listeners = new Map<string, Set<(payload: string) => void>>();
  const notifier = new Notifier(async (batch) => {
    for (const [channel, payload] of batch) for (const handler of listeners.get(channel) ?? []) handler(payload);
  }, opts.onNotifyError);
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    async listen(channel, onPayload) {
      const unsub = await client.listen(channel, onPayload);
      // Its own function, so that the same callback listening twice is two listeners, each unlistened once.
      const handler = (payload: string) => onPayload(payload);
      let handlers = listeners.get(channel);
      if (!handlers) listeners.set(channel, (handlers = new Set()));
      handlers.add(handler);
      return async () => {
        handlers.delete(handler);
        await unsub();
      };
    },
    // In-process: there is no connection to lose.
    onResume: () => () => {},
    listening: () => !client.closed,
    notifyCommitted: (channel, payload) => notifier.notify(channel, payload),
    notifications: () => ({ ...notifier.stats }),
    async ping() {
      await client.query('select 1');
    },
    async prepared<T>({ key, text, values }: BoundStatement, ex?: Executor) {
      const args = values.length ? `(${values.map(literal).join(', ')})` : '';
      if (ex && (ex as unknown) !== db) {
        // Inside a transaction, on its connection. PGlite runs one transaction at a time, so no other
        // PREPARE of this name can be under way; a PREPARE outlives a rollback, so it is made once.
        const tx = connectionOf(ex) as Pick<typeof client, 'exec'>;
        const inTx = `tx_${key}`;
        if (!preparedInTx.has(inTx)) {
          await tx.exec(`prepare ${inTx} as ${text}`);
          preparedInTx.add(inTx);
        }
        return ((await tx.exec(`execute ${inTx}${args}`)).at(-1)?.rows ?? []) as T[];
      }
      // PGlite offers no named statements over its query API, and EXECUTE takes no bind parameters: the
      // statement is PREPAREd once (one connection, so once per database) and EXECUTEd with its values as
      // quoted literals, by exec (the simple protocol: one message and a sync into PGlite, where query
      // makes six; about 0.1 ms a statement, bench/notes.md).
      // Concurrent first calls share one PREPARE.
      let ready = preparedHere.get(key);
      if (!ready) {
        ready = client.exec(`prepare ${key} as ${text}`).then(() => undefined);
        preparedHere.set(key, ready);
        ready.catch(() => preparedHere.delete(key));
      }
      await ready;
      return ((await client.exec(`execute ${key}${args}`)).at(-1)?.rows ?? []) as T[];
    },
    async close() {
      await notifier.drain();
      if (!client.closed) await client.close();
      await lock?.release();
    },
  };
}

/**
 * The embedded database holds emergency records and the audit trail, in its WAL too: only this account
 * may read or write it. DATA_DIR becomes 0700 and everything in it 0600 (0700 for folders), including
 * files left by an older version, and every file created later is private too (umask 077). PGlite
 * (Emscripten's NODEFS) sets each file's mode explicitly after creating it (0666), past the umask, so
 * chmod calls in this process are made to honour the umask as well.
 */
export function makePrivate(dataDir: string): void {
  process.umask(PRIVATE_UMASK);
  privateChmod();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const walk = (dir: string) => {
    chmodSync(dir, 0o700);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) chmodSync(path, 0o600);
    }
  };
  walk(dataDir);
}

const PRIVATE_UMASK = 0o077;
let chmodPatched = false;
function privateChmod() {
  if (chmodPatched) return;
  chmodPatched = true;
  const strip = (mode: unknown) => (typeof mode === 'number' ? mode & ~PRIVATE_UMASK : typeof mode === 'string' ? parseInt(mode, 8) & ~PRIVATE_UMASK : mode);
  const { chmodSync: chmodPath, fchmodSync: chmodFd } = fs;
  fs.chmodSync = ((path: Parameters<typeof fs.chmodSync>[0], mode: Parameters<typeof fs.chmodSync>[1]) =>
    chmodPath(path, strip(mode) as typeof mode)) as typeof fs.chmodSync;
  fs.fchmodSync = ((fd: number, mode: Parameters<typeof fs.fchmodSync>[1]) => chmodFd(fd, strip(mode) as typeof mode)) as typeof fs.fchmodSync;
}

const dialect = new PgDialect();

/**
 * The driver connection under a drizzle transaction: node-postgres's checked-out client, or PGlite's
 * transaction handle. drizzle keeps it on the transaction's session and offers no named statements over
 * raw SQL, so the prepared hot paths reach it here (the one place that knows drizzle's internals).
 */
function connectionOf(ex: Executor): unknown {
  const client = (ex as unknown as { session?: { client?: unknown } }).session?.client;
  if (!client) throw new Error('no connection under this transaction (drizzle changed its internals?)');
  return client;
}

/**
 * A bind value as an SQL literal, for PGlite's EXECUTE, which is sent by the simple protocol (where a
 * literal that ended early would start a new statement). Quotes are doubled; a value with a backslash is
 * an escape string with its backslashes doubled too, so it reads the same whatever the session's
 * standard_conforming_strings says.
 */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
  if (s.includes('\0')) throw new Error('a NUL cannot be stored');
  const quoted = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Rows of a raw query, whichever driver ran it. */
export async function rows<T>(ex: Executor, query: ReturnType<typeof sql>): Promise<T[]> {
  const res = (await ex.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}
