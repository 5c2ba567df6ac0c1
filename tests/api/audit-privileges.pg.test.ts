// Least privilege on Postgres (this file runs only with DATABASE_URL: vitest.config.ts leaves it out of the
// embedded run, so no run reports it skipped). A runtime role made by `db grant-runtime` in the test's own
// database can run the server (migrations as the owner through DATABASE_MIGRATION_URL) and validate
// tokens, but can neither switch the audit triggers off nor change, delete or empty the trail, nor move a
// chain head; the owner-run server warns that it runs as the owner, the runtime-run one does not.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config';
import { createLogger } from '../../api/logger';
import { createRuntime } from '../../api/runtime';
import { verifyAuditTrail } from '../../api/domain/audit-verify';
import { runCli } from '../../cli/run';
import { generate, quickUser, startHarness, type Harness } from '../helpers/harness';

let h: Harness;
const role = `et_rt_${randomBytes(4).toString('hex')}`;
let runtimeUrl: string;
let runtime: pg.Client;

/** The error code Postgres answers a statement run as the runtime role with (null: it was allowed). */
async function refusal(statement: string): Promise<string | null> {
  await runtime.query('begin');
  try {
    await runtime.query(statement);
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'unknown';
  } finally {
    await runtime.query('rollback');
  }
}

beforeAll(async () => {
  h = await startHarness();
  const owner = new pg.Client({ connectionString: h.db.url });
  await owner.connect();
  await owner.query(`create role ${role} login`);
  await owner.end();
  const lines: string[] = [];
  const code = await runCli(['db', 'grant-runtime', role], {
    open: () => Promise.reject(new Error('standalone')),
    config: () => loadConfig({ DATABASE_URL: h.db.url!, APP_SECRET: 'x'.repeat(40) }),
    io: { out: (l) => lines.push(l), err: (l) => lines.push(l), stdout: process.stdout },
  });
  expect(code, lines.join('\n')).toBe(0);
  const url = new URL(h.db.url!);
  url.username = role;
  runtimeUrl = url.toString();
  runtime = new pg.Client({ connectionString: runtimeUrl });
  await runtime.connect();
});

afterAll(async () => {
  await runtime?.end();
  await h?.close();
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`drop role if exists ${role}`);
  await admin.end();
});

describe('the runtime role', () => {
  it('cannot switch the audit triggers off, alter or empty the trail', async () => {
    expect(await refusal('alter table audit_events disable trigger user')).toBe('42501');
    expect(await refusal('alter table audit_events disable trigger audit_events_chain')).toBe('42501');
    expect(await refusal('alter table audit_checkpoints disable trigger user')).toBe('42501');
    expect(await refusal('truncate audit_events')).toBe('42501');
    expect(await refusal('drop trigger audit_events_chain on audit_events')).toBe('42501');
  });

  it('cannot change or delete an event or a checkpoint, nor move a chain head', async () => {
    expect(await refusal(`update audit_events set details = '{}'`)).toBe('42501');
    expect(await refusal('delete from audit_events')).toBe('42501');
    expect(await refusal('delete from audit_checkpoints')).toBe('42501');
    expect(await refusal(`update audit_chain_heads set seq = 0`)).toBe('42501');
    expect(await refusal(`insert into audit_chain_heads (chain) values (999)`)).toBe('42501');
  });

  it('can add an event, which the trigger chains even when the role asks for a chain place of its own', async () => {
    expect(await refusal(`insert into audit_events (action, outcome) values ('settings.updated', 'success')`)).toBeNull();
    await runtime.query(`insert into audit_events (action, outcome, chain, chain_seq, hash) values ('settings.updated', 'success', 5, 1, '\\x00')`);
    const report = await verifyAuditTrail(h.runtime.ctx);
    expect(report).toMatchObject({ ok: true, breaks: 0 });
  });

  // The chain trigger keeps a transaction's place on its chain in a setting (migration 0022), which any
  // session may set: a preset place that is not the head's is refused, so no event lands past a gap, whether
  // the row trigger moves the head (a transaction's first eight events) or the statement trigger (the rest).
  it("cannot place an event past its chain head by presetting the chain trigger's setting", async () => {
    const { rows } = await runtime.query<{ chain: number; seq: string; hash: string }>(
      `insert into audit_events (action, outcome) values ('settings.updated', 'success') returning chain, chain_seq::text as seq, encode(hash, 'hex') as hash`,
    );
    const { chain, seq, hash } = rows[0]!;
    const insert = `insert into audit_events (action, outcome) values ('settings.updated', 'success')`;
    expect(await refusal(`set local et_audit.head = '${chain} ${Number(seq) + 5} ${hash} 1'; ${insert}`)).toBe('P0001');
    expect(await refusal(`set local et_audit.head = '${chain} ${seq} ${'0'.repeat(64)} 1'; ${insert}`)).toBe('P0001');
    // The same past a transaction's first eight events, where the head moves once per statement.
    expect(await refusal(`set local et_audit.head = '${chain} ${Number(seq) + 5} ${hash} 9 p'; ${insert}`)).toBe('P0001');
    expect(await refusal(`set local et_audit.head = '${chain} ${seq} ${'0'.repeat(64)} 9 p'; ${insert}`)).toBe('P0001');
    // The head's own place is what the trigger would have taken anyway.
    expect(await refusal(`set local et_audit.head = '${chain} ${seq} ${hash} 1'; ${insert}`)).toBeNull();
    expect(await refusal(`set local et_audit.head = '${chain} ${seq} ${hash} 9 p'; ${insert}`)).toBeNull();
    expect(await verifyAuditTrail(h.runtime.ctx)).toMatchObject({ ok: true, breaks: 0 });
  });

  it('runs the server (migrations as the owner), validates tokens, and is not warned about', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn');
    const warn = logger.warn.bind(logger);
    logger.warn = ((obj: unknown, msg?: string) => {
      warnings.push(typeof obj === 'string' ? obj : String(msg));
      return warn(obj as never, msg as never);
    }) as typeof logger.warn;
    const config = loadConfig({
      DATABASE_URL: runtimeUrl,
      DATABASE_MIGRATION_URL: h.db.url!,
      APP_SECRET: h.config.secret.toString('utf8'),
      LOG_LEVEL: 'silent',
      DATA_DIR: h.config.dataDir,
    });
    const server = await createRuntime(config, { logger, background: false });
    try {
      expect(warnings.filter((w) => /owner|superuser|may UPDATE/.test(w))).toEqual([]);
      const admin = await quickUser(h, 'admin');
      const nurse = await quickUser(h);
      const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
      const res = await server.app.request('/api/v1/tokens/validate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: nurse.cookie },
        body: JSON.stringify({ token: t!.token, reason: 'as the runtime role' }),
      });
      expect(res.status).toBe(200);
      expect((await verifyAuditTrail(h.runtime.ctx)).ok).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('the server run as the table owner says so once at start', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = ((_obj: unknown, msg?: string) => void warnings.push(String(msg))) as typeof logger.warn;
    const config = loadConfig({ DATABASE_URL: h.db.url!, APP_SECRET: h.config.secret.toString('utf8'), LOG_LEVEL: 'silent', DATA_DIR: h.config.dataDir });
    const server = await createRuntime(config, { logger, background: false });
    await server.close();
    expect(warnings.filter((w) => w.startsWith('runs as the table owner')).length).toBe(1);
  });

  it('npm run cli -- db privileges: exit 0 for the runtime role, exit 1 naming the owner and an extra right', async () => {
    const privileges = async (url: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(['db', 'privileges'], {
        open: () => Promise.reject(new Error('standalone')),
        config: () => loadConfig({ DATABASE_URL: url, APP_SECRET: 'x'.repeat(40) }),
        io: { out: (l) => out.push(l), err: (l) => err.push(l), stdout: process.stdout },
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    expect(await privileges(runtimeUrl)).toEqual({ code: 0, out: 'least privilege holds: the server role can only read and add to the audit trail', err: '' });
    const asOwner = await privileges(h.db.url!);
    expect(asOwner.code).toBe(1);
    expect(asOwner.out).toMatch(/runs as the table owner: ".+" owns audit_events, so it could switch the audit triggers off/);
    expect(asOwner.err).toContain('the server role has more rights than it needs');

    // One right too many, granted by the owner, is named; taken back, least privilege holds again.
    const owner = new pg.Client({ connectionString: h.db.url });
    await owner.connect();
    try {
      await owner.query(`grant delete on audit_events to ${role}`);
      const extra = await privileges(runtimeUrl);
      expect(extra.code).toBe(1);
      expect(extra.out).toBe(`"${role}" may UPDATE, DELETE or TRUNCATE audit_events`);
    } finally {
      await owner.query(`revoke delete on audit_events from ${role}`);
      await owner.end();
    }
    expect((await privileges(runtimeUrl)).code).toBe(0);
  });
});
