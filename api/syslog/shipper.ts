// Streams the audit trail to the hospital's collector: RFC 5424 syslog over TCP or TLS, octet-counted
// (./format.ts), every event in id order, from the audit table itself (api/domain/audit-stream.ts): no
// outbox row per event, nothing added to any change's transaction, and nothing lost when the collector
// or this server is down, because the position is kept in the database and only moves past what the
// collector must have.
//
// At-least-once, not exactly-once. Syslog over TCP has no acknowledgement: bytes the kernel accepted may
// never reach the collector if the connection breaks (they sit in our send buffer or in the collector's
// receive buffer). Those buffers are bounded (a few MiB on Linux), so an event counts as delivered only
// once `replayBytes` (16 MiB) more have been written after it on a connection that is still up. After a
// broken connection, a restart or a failover to another instance, sending resumes from there: up to the
// last 16 MiB may arrive twice, in the same order, each with its event id (`[meta sequenceId]`, and the
// payload's id) for the collector to drop repeats. A graceful stop that the collector acknowledges by
// closing its side moves the position to the end, so a restart repeats nothing.
import { randomUUID } from 'node:crypto';
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { auditSourceOf } from '../domain/audit-fhir';
import { AuditStreamReader, claimShipper, newestAuditId, releaseShipper, saveShipperPosition, type GapState } from '../domain/audit-stream';
import type { Ctx } from '../domain/context';
import { frame, syslogMessage, thisProcess, type SyslogFormat } from './format';

export interface SyslogTarget {
  protocol: 'tcp' | 'tls';
  host: string;
  port: number;
  format: SyslogFormat;
  /** TLS: trusted CA(s), and a client certificate and key for mutual TLS (IHE ATNA asks for it). PEM text. */
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

export interface ShipperOptions {
  /** The row in audit_shippers (one per collector). */
  name?: string;
  /** How often to look for new events when idle. */
  pollMs?: number;
  batchSize?: number;
  /** Bytes written after an event before it counts as delivered (see the top of this file). */
  replayBytes?: number;
  leaseSeconds?: number;
  /** Reconnect delays: from `first`, doubling to `max`. */
  retryMs?: { first: number; max: number };
  onError?: (err: unknown) => void;
}

export type ShipperState = 'connecting' | 'up' | 'down' | 'standby' | 'stopped';

export interface ShipperStatus {
  state: ShipperState;
  /** Every event up to this id is delivered. */
  delivered: string;
  /** Written to the current connection up to this id. */
  sent: string;
  /** Events not yet counted as delivered. */
  behind: number;
  /** A missing id the shipper is waiting at (a transaction still open), and since when. */
  waitingAt: GapState | null;
  lastError: string | null;
}

export interface AuditShipper {
  state(): ShipperState;
  status(): Promise<ShipperStatus>;
  /** Look for new events now. */
  kick(): void;
  stop(): Promise<void>;
}

export const DEFAULT_REPLAY_BYTES = 16 * 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;
const errorText = (err: unknown) => String(err instanceof Error ? err.message : err).slice(0, 300);

/** Opens the connection; resolves once it is up (TLS: once the handshake is done). */
function open(target: SyslogTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      target.protocol === 'tls'
        ? tlsConnect({
            host: target.host,
            port: target.port,
            ...(isIP(target.host) === 0 && { servername: target.host }),
            ca: target.ca,
            cert: target.cert,
            key: target.key,
          })
        : tcpConnect({ host: target.host, port: target.port });
    const timer = setTimeout(
      () => socket.destroy(new Error(`no connection to ${target.host}:${target.port} within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', fail);
    socket.once(target.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.setKeepAlive(true, 10_000);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** One connection: writes, and says whether it broke (peer closed, reset, error). */
class Connection {
  broken: Error | null = null;
  private readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('error', (err) => (this.broken ??= err));
    // The collector closed its side: nothing written from now on would be read.
    socket.on('end', () => (this.broken ??= new Error('the collector closed the connection')));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => (this.broken ??= new Error('connection closed')));
    // Anything the collector sends is ignored (syslog is one-way).
    socket.resume();
  }

  /** Writes the frames; resolves when the kernel has them all, rejects when the connection broke. */
  async write(frames: Buffer[], timeoutMs: number): Promise<void> {
    if (this.broken) throw this.broken;
    const data = Buffer.concat(frames);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new Error(`the collector took no data for ${timeoutMs} ms`);
        this.broken ??= err;
        this.socket.destroy(err);
        reject(err);
      }, timeoutMs);
      this.socket.write(data, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else if (this.broken) reject(this.broken);
        else resolve();
      });
    });
  }

  /** Ends our side and waits (bounded) for the collector to close its own: true if it did, having read everything. */
  async end(waitMs: number): Promise<boolean> {
    if (this.broken) {
      this.socket.destroy();
      return false;
    }
    this.socket.end();
    const closed = await Promise.race([this.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), waitMs).unref())]);
    // Set by the events while we waited (the compiler cannot see that).
    const broken = this.broken as Error | null;
    const clean = closed && (broken === null || broken.message === 'the collector closed the connection' || broken.message === 'connection closed');
    this.socket.destroy();
    return clean;
  }

  destroy() {
    this.socket.destroy();
  }
}

export async function startAuditShipper(ctx: Ctx, target: SyslogTarget, opts: ShipperOptions = {}): Promise<AuditShipper> {
  const name = opts.name ?? 'syslog';
  const pollMs = opts.pollMs ?? 1000;
  const batchSize = opts.batchSize ?? 500;
  const replayBytes = opts.replayBytes ?? DEFAULT_REPLAY_BYTES;
  const leaseSeconds = opts.leaseSeconds ?? 30;
  const retry = opts.retryMs ?? { first: 500, max: 30_000 };
  const holder = randomUUID();
  const source = auditSourceOf(ctx.config.publicUrl);
  const origin = thisProcess();
  const reader = new AuditStreamReader(ctx.db);

  let state: ShipperState = 'connecting';
  let lastError: string | null = null;
  let stopped = false;
  let holding = false;
  let conn: Connection | null = null;
  /** Delivered for sure (the stored position). */
  let delivered = 0n;
  /** Written to the current connection. */
  let sent = 0n;
  /** What was written after `delivered` on this connection, oldest first, with sizes. */
  let window: Array<{ id: bigint; bytes: number }> = [];
  let windowBytes = 0;
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  const failed = (err: unknown) => {
    lastError = errorText(err);
    opts.onError?.(err);
  };
  /** Back to the stored position: whatever the broken connection may have lost goes out again. */
  const dropConnection = () => {
    conn?.destroy();
    conn = null;
    sent = delivered;
    window = [];
    windowBytes = 0;
  };

  const loop = async () => {
    let delay = retry.first;
    while (!stopped) {
      try {
        const claimed = await claimShipper(ctx.db, name, holder, leaseSeconds);
        if (claimed === null) {
          // Another instance ships; this one stands by and takes over when that lease runs out.
          if (holding) dropConnection();
          holding = false;
          state = 'standby';
          await pause(Math.max(pollMs, 1000));
          continue;
        }
        if (!holding) {
          holding = true;
          delivered = claimed;
          dropConnection();
        }
        if (!conn) {
          state = 'connecting';
          conn = new Connection(await open(target));
          sent = delivered;
          state = 'up';
          lastError = null;
          delay = retry.first;
        }
        if (conn.broken) throw conn.broken;
        const batch = await reader.next(sent, batchSize);
        if (batch.length === 0) {
          await pause(pollMs);
          continue;
        }
        const frames = batch.map((row) => frame(syslogMessage(row, target.format, source, origin)));
        await conn.write(frames, leaseSeconds * 1000);
        for (let i = 0; i < batch.length; i++) {
          window.push({ id: BigInt(batch[i]!.id), bytes: frames[i]!.length });
          windowBytes += frames[i]!.length;
        }
        sent = BigInt(batch[batch.length - 1]!.id);
        // Events with at least `replayBytes` written after them on this live connection have been read.
        let safe = delivered;
        while (window.length > 0 && windowBytes - window[0]!.bytes >= replayBytes) {
          safe = window[0]!.id;
          windowBytes -= window.shift()!.bytes;
        }
        if (safe > delivered) {
          if (!(await saveShipperPosition(ctx.db, name, holder, safe, leaseSeconds))) {
            holding = false;
            dropConnection();
            continue;
          }
          delivered = safe;
        }
      } catch (err) {
        failed(err);
        if (conn) dropConnection();
        if (stopped) break;
        state = 'down';
        await pause(delay);
        delay = Math.min(delay * 2, retry.max);
      }
    }
  };
  const running = loop();

  return {
    state: () => state,
    async status() {
      const newest = await newestAuditId(ctx.db).catch(() => delivered);
      const behind = newest > delivered ? Number(newest - delivered) : 0;
      return { state, delivered: delivered.toString(), sent: sent.toString(), behind, waitingAt: reader.waitingAt(), lastError };
    },
    kick() {
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await running;
      state = 'stopped';
      if (conn && holding) {
        // A collector that closes its side after our end has read everything we wrote.
        const clean = await conn.end(2000);
        if (clean && sent > delivered) {
          await saveShipperPosition(ctx.db, name, holder, sent, leaseSeconds).catch(failed);
          delivered = sent;
        }
      }
      conn?.destroy();
      conn = null;
      if (holding) await releaseShipper(ctx.db, name, holder).catch(failed);
      holding = false;
    },
  };
}
