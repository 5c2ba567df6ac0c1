// The audit trail streamed to a collector: a real TCP syslog listener here (octet-counted RFC 5424, RFC
// 6587) takes every event in id order; stopped, it misses nothing: events written meanwhile wait in the
// database and arrive when it is back (at-least-once: a repeat is the same event with the same id, and
// every connection's stream is in id order); a transaction still open holds the stream at its id, and an
// id that is rolled back is stepped over. TLS with a client certificate too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { loadConfig } from '../../api/config';
import { frame } from '../../api/syslog/format';
import { startAuditShipper } from '../../api/syslog/shipper';
import { dbRows, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';
import { fhirProblems } from '../helpers/fhir';
import { postgresAvailable } from '../helpers/database';

interface Received {
  connection: number;
  pri: number;
  msgid: string;
  sequenceId: string;
  payload: Record<string, unknown>;
}

/** A syslog collector: reads octet-counted frames, parses the RFC 5424 header, keeps every message. */
class Collector {
  readonly messages: Received[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private connections = 0;
  port = 0;
  /** Set, the collector goes away right after the n-th message it parses, dropping every byte after it. */
  cutAfter: number | undefined;
  /** Bytes that reached the collector and were dropped by a cut: sent, accepted, never read. */
  dropped = 0;

  constructor(private readonly tls?: { key: string; cert: string; ca: string }) {}

  async start(port = 0): Promise<void> {
    const onSocket = (socket: Socket) => {
      const connection = ++this.connections;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      let buffer = Buffer.alloc(0);
      socket.on('data', (data: Buffer) => {
        buffer = Buffer.concat([buffer, data]);
        for (;;) {
          const space = buffer.indexOf(0x20);
          if (space < 0) return;
          const length = Number(buffer.subarray(0, space).toString('ascii'));
          if (!Number.isInteger(length) || length <= 0) throw new Error(`bad frame length: ${buffer.subarray(0, 20).toString()}`);
          if (buffer.length < space + 1 + length) return;
          const message = buffer.subarray(space + 1, space + 1 + length).toString('utf8');
          buffer = buffer.subarray(space + 1 + length);
          const m = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) \[meta sequenceId="(\d+)"\] (.*)$/s.exec(message);
          if (!m) throw new Error(`not RFC 5424 as expected: ${message.slice(0, 200)}`);
          this.messages.push({ connection, pri: Number(m[1]), msgid: m[6]!, sequenceId: m[7]!, payload: JSON.parse(m[8]!) as Record<string, unknown> });
          if (this.cutAfter !== undefined && --this.cutAfter === 0) {
            this.cutAfter = undefined;
            this.dropped += buffer.length;
            socket.removeAllListeners('data');
            socket.on('data', (more: Buffer) => (this.dropped += more.length));
            void this.stop();
            return;
          }
        }
      });
    };
    this.server = this.tls ? createTlsServer({ ...this.tls, requestCert: true, rejectUnauthorized: true }, onSocket) : createServer(onSocket);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server!.address() as { port: number }).port;
  }

  /** The collector goes away: it stops listening and drops its connections. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  ids(): bigint[] {
    return this.messages.map((m) => BigInt(m.sequenceId));
  }
}

const allIds = async (h: Harness) =>
  (await dbRows<{ sid: string }>(h, sql`select id::text as sid from audit_events order by audit_events.id`)).map((r) => BigInt(r.sid));

/** Waits (bounded) until the collector holds every event in the table. */
async function everythingArrives(h: Harness, collector: Collector) {
  const want = await allIds(h);
  await vi.waitFor(
    () => {
      const got = new Set(collector.ids());
      const missing = want.filter((id) => !got.has(id));
      if (missing.length) throw new Error(`not yet received: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '…' : ''}`);
    },
    { timeout: 30_000, interval: 50 },
  );
  return want;
}

/** Within each connection, ids arrive strictly increasing (a repeat only after a reconnect). */
function inOrderPerConnection(messages: Received[]) {
  const last = new Map<number, bigint>();
  for (const m of messages) {
    const id = BigInt(m.sequenceId);
    const before = last.get(m.connection);
    if (before !== undefined && id <= before) throw new Error(`connection ${m.connection}: ${id} after ${before}`);
    last.set(m.connection, id);
  }
}

async function someActivity(h: Harness, admin: TestUser, nurse: TestUser, n: number) {
  const tokens = await generate(h, admin, { count: n, userId: nurse.id });
  for (const t of tokens) {
    await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t.token, reason: 'syslog test' } });
    await h.http('GET', '/api/v1/emergency-records', { cookie: nurse.cookie });
  }
  await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: '000000', reason: 'wrong' } });
}

describe('syslog over TCP, FHIR payload', () => {
  const collector = new Collector();
  let h: Harness;
  let admin: TestUser;
  let nurse: TestUser;

  beforeAll(async () => {
    await collector.start();
    h = await startHarness(
      { AUDIT_SYSLOG_URL: `tcp://127.0.0.1:${collector.port}`, PUBLIC_URL: 'https://et.hospital.example' },
      { background: true, syslogPollMs: 50 },
    );
    admin = await quickUser(h, 'admin');
    nurse = await quickUser(h);
  });
  afterAll(async () => {
    await h?.close();
    await collector.stop().catch(() => {});
  });

  it('delivers every event, in id order, as RFC 5424 with a valid FHIR AuditEvent', async () => {
    await someActivity(h, admin, nurse, 3);
    const want = await everythingArrives(h, collector);
    expect(collector.ids()).toEqual(want);
    const validated = collector.messages.find((m) => m.msgid === 'token.validated' && m.pri === 85)!;
    expect(validated.payload).toMatchObject({
      resourceType: 'AuditEvent',
      id: validated.sequenceId,
      outcome: '0',
      purposeOfEvent: [{ coding: [{ code: 'BTG' }] }],
    });
    // Facility 10 (security): severity notice (85) for a success, warning (84) for a failure.
    expect(collector.messages.find((m) => m.msgid === 'token.validated' && (m.payload as { outcome: string }).outcome === '4')!.pri).toBe(84);
    for (const m of collector.messages) expect(fhirProblems(m.payload as unknown as AuditEvent), m.sequenceId).toEqual([]);
    expect((await h.http('GET', '/readyz')).body.parts.auditSyslog).toBe('up');
  });

  it('loses nothing while the collector is down, and resumes in order when it is back', async () => {
    const before = collector.messages.length;
    await collector.stop();
    await someActivity(h, admin, nurse, 4);
    const shipper = h.runtime.auditShipper()!;
    await vi.waitFor(() => expect(shipper.state()).toBe('down'), { timeout: 30_000, interval: 50 });
    expect((await h.http('GET', '/readyz')).body.parts.auditSyslog).toBe('down');
    const status = await shipper.status();
    expect(status.behind).toBeGreaterThan(0);
    expect(status.lastError).toBeTruthy();

    await collector.start(collector.port);
    const want = await everythingArrives(h, collector);
    // At-least-once: every event arrived; what came twice is the same event (same id, same payload),
    // and each connection's stream is in id order.
    const seen = new Map<string, string>();
    for (const m of collector.messages) {
      const body = JSON.stringify(m.payload);
      if (seen.has(m.sequenceId)) expect(body).toBe(seen.get(m.sequenceId));
      seen.set(m.sequenceId, body);
    }
    expect([...new Set(collector.ids())].sort((a, b) => (a < b ? -1 : 1))).toEqual(want);
    inOrderPerConnection(collector.messages);
    // The new connection picked up at the stored position: nothing after it was skipped.
    const resumed = collector.messages.slice(before).filter((m) => m.connection > 1);
    expect(resumed.length).toBeGreaterThan(0);
    const firstResumed = BigInt(resumed[0]!.sequenceId);
    expect(want.filter((id) => id >= firstResumed)).toEqual([...new Set(resumed.map((m) => BigInt(m.sequenceId)))]);
  });

  it('loses nothing the collector received but never read: a break mid-stream replays from the stored position', async () => {
    // Events pile up while the collector is away; when it is back the shipper sends them all at once, and
    // the collector reads one and goes away again with the rest unread in its buffers (what a crash does
    // to the bytes TCP had already accepted). Once it is back for good, every one of them arrives.
    await collector.stop();
    await someActivity(h, admin, nurse, 4);
    const shipper = h.runtime.auditShipper()!;
    await vi.waitFor(() => expect(shipper.state()).toBe('down'), { timeout: 30_000, interval: 50 });
    const pending = (await shipper.status()).behind;
    expect(pending).toBeGreaterThan(5);
    collector.cutAfter = 1;
    collector.dropped = 0;
    const before = collector.messages.length;
    await collector.start(collector.port);
    await vi.waitFor(() => expect(collector.cutAfter).toBeUndefined(), { timeout: 30_000, interval: 50 });
    expect(collector.messages.length).toBe(before + 1);
    await vi.waitFor(() => expect(shipper.state()).toBe('down'), { timeout: 30_000, interval: 50 });
    expect(collector.dropped).toBeGreaterThan(0);

    await collector.start(collector.port);
    const want = await everythingArrives(h, collector);
    expect([...new Set(collector.ids())].sort((a, b) => (a < b ? -1 : 1))).toEqual(want);
    inOrderPerConnection(collector.messages);
  });

  it('an id rolled back is stepped over; the stream goes on', async () => {
    await h.runtime.ctx.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into audit_events (action, outcome) values ('lockout', 'success')`);
        throw new Error('roll back');
      })
      .catch(() => {});
    await someActivity(h, admin, nurse, 1);
    const want = await everythingArrives(h, collector);
    expect([...new Set(collector.ids())].sort((a, b) => (a < b ? -1 : 1))).toEqual(want);
    expect((await h.runtime.auditShipper()!.status()).waitingAt).toBeNull();
  });

  it('a graceful stop the collector acknowledges stores the end: a restart repeats nothing', async () => {
    await h.runtime.auditShipper()!.stop();
    const [row] = await dbRows<{ last_id: string }>(h, sql`select last_id::text from audit_shippers where name = 'syslog'`);
    const want = await allIds(h);
    expect(BigInt(row!.last_id)).toBe(want[want.length - 1]);
    const before = collector.messages.length;
    const again = await startAuditShipper(h.runtime.ctx, h.config.auditSyslog!, { pollMs: 50 });
    await someActivity(h, admin, nurse, 1);
    await everythingArrives(h, collector);
    await again.stop();
    expect(
      collector
        .ids()
        .slice(before)
        .every((id) => id > BigInt(row!.last_id)),
    ).toBe(true);
  });
});

describe.runIf(postgresAvailable)('a transaction still open holds the stream at its id (Postgres)', () => {
  const collector = new Collector();
  let h: Harness;

  beforeAll(async () => {
    await collector.start();
    h = await startHarness(
      { AUDIT_SYSLOG_URL: `tcp://127.0.0.1:${collector.port}`, AUDIT_SYSLOG_FORMAT: 'json' },
      { background: true, syslogPollMs: 50, postgres: true },
    );
  });
  afterAll(async () => {
    await h?.close();
    await collector.stop().catch(() => {});
  });

  it('a later event that commits first waits for the earlier one; both arrive in id order', async () => {
    await everythingArrives(h, collector);
    const slow = new pg.Client({ connectionString: h.db.url });
    await slow.connect();
    try {
      await slow.query('begin');
      const { rows } = await slow.query<{ id: string }>(
        `insert into audit_events (action, outcome, details) values ('lockout', 'success', '{"n": "slow"}') returning id::text`,
      );
      const slowId = BigInt(rows[0]!.id);
      // A later id, committed while the slow one is still open.
      await h.runtime.ctx.db.execute(sql`insert into audit_events (action, outcome, details) values ('lockout', 'success', '{"n": "fast"}')`);
      // The shipper sees the later event but must not pass the open one: it waits at slowId.
      await vi.waitFor(async () => expect((await h.runtime.auditShipper()!.status()).waitingAt?.from).toBe(String(slowId)), { timeout: 30_000, interval: 50 });
      expect(collector.ids().some((id) => id > slowId)).toBe(false);
      await slow.query('commit');
      await everythingArrives(h, collector);
      const ids = collector.ids();
      expect(ids.indexOf(slowId)).toBeLessThan(ids.indexOf(slowId + 1n));
      // The compact JSON payload: the event as the API shows it.
      const fast = collector.messages.find((m) => BigInt(m.sequenceId) === slowId + 1n)!;
      expect(fast.payload).toMatchObject({ id: String(slowId + 1n), action: 'lockout', outcome: 'success', details: { n: 'fast' } });
    } finally {
      await slow.end();
    }
  });
});

describe('syslog over TLS with a client certificate', () => {
  it('connects with the configured CA, certificate and key, and delivers', async () => {
    // A throwaway CA, and a server and client certificate it signs (openssl is on every machine here).
    const dir = mkdtempSync(join(tmpdir(), 'et-syslog-tls-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test ca');
    for (const who of ['server', 'client']) {
      run(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${who}.key`,
        '-out',
        `${who}.csr`,
        '-subj',
        `/CN=${who === 'server' ? 'localhost' : 'et-client'}`,
      );
      const ext = join(dir, `${who}.ext`);
      execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ${ext}`]);
      run('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', ext);
    }
    const file = (name: string) => readFileSync(join(dir, name), 'utf8');
    const collector = new Collector({ key: file('server.key'), cert: file('server.pem'), ca: file('ca.pem') });
    await collector.start();
    const h = await startHarness(
      {
        AUDIT_SYSLOG_URL: `tls://127.0.0.1:${collector.port}`,
        AUDIT_SYSLOG_TLS_CA: join(dir, 'ca.pem'),
        AUDIT_SYSLOG_TLS_CERT: join(dir, 'client.pem'),
        AUDIT_SYSLOG_TLS_KEY: join(dir, 'client.key'),
      },
      { background: true, syslogPollMs: 50 },
    );
    try {
      await quickUser(h);
      const want = await everythingArrives(h, collector);
      expect(collector.ids()).toEqual(want);
    } finally {
      await h.close();
      await collector.stop();
    }
  });
});

describe('configuration', () => {
  const base = { DATA_DIR: mkdtempSync(join(tmpdir(), 'et-cfg-')), APP_SECRET: 'x'.repeat(32) };
  it('off by default; tcp:// and tls:// URLs; anything else is named', () => {
    expect(loadConfig(base).auditSyslog).toBeUndefined();
    expect(loadConfig({ ...base, AUDIT_SYSLOG_URL: 'tcp://collector.hospital:6514' }).auditSyslog).toMatchObject({
      protocol: 'tcp',
      host: 'collector.hospital',
      port: 6514,
      format: 'fhir',
    });
    expect(loadConfig({ ...base, AUDIT_SYSLOG_URL: 'tls://[::1]:6514', AUDIT_SYSLOG_FORMAT: 'json' }).auditSyslog).toMatchObject({
      protocol: 'tls',
      host: '::1',
      port: 6514,
      format: 'json',
    });
    for (const bad of ['udp://h:514', 'tcp://h', 'http://h:514', 'tcp://h:514/path', 'nonsense']) {
      expect(() => loadConfig({ ...base, AUDIT_SYSLOG_URL: bad }), bad).toThrow(/AUDIT_SYSLOG_URL/);
    }
    expect(() => loadConfig({ ...base, AUDIT_SYSLOG_URL: 'tcp://h:514', AUDIT_SYSLOG_TLS_CA: '/etc/hostname' })).toThrow(/AUDIT_SYSLOG_TLS_CA/);
    expect(() => loadConfig({ ...base, AUDIT_SYSLOG_URL: 'tls://h:514', AUDIT_SYSLOG_TLS_CA: '/no/such/file' })).toThrow(/cannot read/);
    expect(() => loadConfig({ ...base, AUDIT_SYSLOG_FORMAT: 'xml' })).toThrow(/AUDIT_SYSLOG_FORMAT/);
  });

  it('frames count bytes, not characters', () => {
    const f = frame('<85>1 - - - - - - Ünïcode ✓');
    const [length, ...rest] = f.toString('utf8').split(' ');
    expect(Number(length)).toBe(Buffer.byteLength(rest.join(' ')));
    expect(Number(length)).toBeGreaterThan(rest.join(' ').length);
  });
});
