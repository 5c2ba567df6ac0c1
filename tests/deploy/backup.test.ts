// Backups and moves of the embedded database, on a populated database in a real DATA_DIR, compared table
// by table (row counts and content hashes, db/fingerprint.ts):
// - the server holds DATA_DIR: another process (the CLI) is refused, never opens it;
// - `backup` while the server runs and writes: the server takes the snapshot, the file opens and is
//   consistent (counters agree with the tokens, every grant has its used token and its audit event);
// - `restore` is refused while the server runs; stopped, it brings back exactly what was backed up;
// - `migrate-to-postgres` (with DATABASE_URL): every table identical in Postgres, sequences where they
//   were, triggers on, the audit chains verified in the target, and a server on Postgres validates and reveals the tokens made before the move.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../api/config';
import { createLogger } from '../../api/logger';
import { createRuntime, type Runtime } from '../../api/runtime';
import { revealMyTokens, validateToken } from '../../api/domain/tokens';
import { rows } from '../../db/client';
import { DataDirBusy, lockDataDir, openBackup, openEmbedded } from '../../db/embedded';
import { differences, fingerprint, type Fingerprint } from '../../db/fingerprint';
import { pgQueryable } from '../../db/move';
import { freshDatabase, postgresAvailable } from '../helpers/database';
import { startHarness } from '../helpers/harness';
import { populate, type Populated } from '../helpers/populate';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const SECRET = randomBytes(32).toString('hex');

let work: string;
let dataDir: string;
let config: Config;
let runtime: Runtime | undefined;
let seeded: Populated;

/** The CLI as an operator runs it: its own process, the same environment as the server. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k === 'DATABASE_URL' || k.startsWith('SLACK_')) delete base[k];
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...base, DATA_DIR: dataDir, APP_SECRET: SECRET, LOG_LEVEL: 'silent', ...env },
      maxBuffer: 16 << 20,
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout, err: err.stderr };
  }
}

async function startServer() {
  runtime = await createRuntime(config, { logger: createLogger('silent'), background: false });
  return runtime;
}
async function stopServer() {
  await runtime?.close();
  runtime = undefined;
}

/** The embedded database in a folder, fingerprinted (opened under its lock, not migrated). */
async function fingerprintOf(dir: string): Promise<Fingerprint> {
  const db = await openEmbedded(dir, { migrate: false });
  try {
    return await fingerprint(db.q);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'et-backup-'));
  dataDir = join(work, 'data');
  // Slack on, so the outbox gets rows too (nothing delivers them here).
  config = loadConfig({
    DATA_DIR: dataDir,
    APP_SECRET: SECRET,
    ADMIN_USERNAME: 'root',
    ADMIN_PASSWORD: 'root-password-1',
    LOG_LEVEL: 'silent',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'test-signing-secret',
  });
  await startServer();
  seeded = await populate(runtime!.ctx);
}, 240_000);
afterAll(async () => {
  await stopServer();
  rmSync(work, { recursive: true, force: true });
});

describe('embedded database: one process at a time', { timeout: 240_000 }, () => {
  it('while the server holds DATA_DIR, another process is refused and told who holds it', async () => {
    const r = await cli(['users', 'list']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`open in another process (pid ${process.pid}`);
    expect(r.err).toContain('npm run cli -- backup');
  });
});

describe('the lock outlives no process', { timeout: 240_000 }, () => {
  it('a lock left by a process that is gone (crash, SIGKILL) is taken over; a live holder is not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'et-lock-'));
    try {
      // A real process that held the lock and died without releasing it.
      const script = `import('${join(ROOT, 'db', 'embedded.ts')}').then((m) => { m.lockDataDir(${JSON.stringify(dir)}); process.exit(0); })`;
      await run(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT });
      expect(JSON.parse(readFileSync(join(dir, 'pglite.lock'), 'utf8')).pid).not.toBe(process.pid);
      const lock = lockDataDir(dir);
      expect(lock.holder.pid).toBe(process.pid);
      // Held: another take in this very process is refused too (no second PGlite on one folder).
      expect(() => lockDataDir(dir)).toThrow(DataDirBusy);
      await lock.release();
      expect(existsSync(join(dir, 'pglite.lock'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('backup and restore', { timeout: 240_000 }, () => {
  let file: string;
  let atBackup: Fingerprint;

  it('backup while the server runs and writes: taken by the server, mode 0600, opens, and is consistent', async () => {
    file = join(work, 'backup.tar.gz');
    const ctx = runtime!.ctx;
    // Validations keep committing while the snapshot is taken.
    const tokens = [...seeded.available[seeded.nurses[0]!.id]!];
    const writes = Promise.all(tokens.slice(0, 3).map((token) => validateToken(ctx, seeded.nurses[0]!, { token, reason: 'during backup' })));
    const r = await cli(['backup', '--out', file]);
    await writes;
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('taken by the running server');
    expect(r.out).toMatch(/checked: it opens, \d+ tables/);
    expect(r.err).toContain('does not hold APP_SECRET');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The CLI never opened the live database: the lock is still the server's.
    expect(readdirSync(dataDir)).toContain('pglite.lock');

    const backup = await openBackup(file);
    try {
      const q = backup.q;
      const n = async (text: string) => Number((await q.query<{ n: string }>(text)).rows[0]!.n);
      expect(await n(`select count(*)::text as n from users`)).toBe(5); // root + admin + 3 nurses
      // Consistent at one instant: the counters the triggers keep agree with the tokens they count, and
      // every grant has its used token and its audit event.
      expect(
        await n(
          `select count(*)::text as n from user_stock s where s.available <> (select count(*) from tokens t where t.user_id = s.user_id and t.status = 'available')`,
        ),
      ).toBe(0);
      expect(await n(`select count(*)::text as n from grants g where not exists (select 1 from tokens t where t.id = g.token_id and t.status = 'used')`)).toBe(
        0,
      );
      expect(
        await n(
          `select count(*)::text as n from grants g where not exists (select 1 from audit_events a where a.grant_id = g.id and a.action = 'token.validated')`,
        ),
      ).toBe(0);
      expect(await n(`select (select sum(n) from token_counts)::text as n`)).toBe(await n(`select count(*)::text as n from tokens`));
    } finally {
      await backup.close();
    }
  });

  it('backup of an idle server holds exactly what the server holds (every table: rows and content hash)', async () => {
    // A second backup with nothing writing: its content equals the live database's.
    const idle = join(work, 'idle.tar.gz');
    expect((await cli(['backup', '--out', idle])).code).toBe(0);
    await stopServer();
    atBackup = await fingerprintOf(dataDir);
    const copy = await openBackup(idle);
    try {
      expect(differences(atBackup, await fingerprint(copy.q), { sequences: 'not-behind' })).toEqual([]);
    } finally {
      await copy.close();
    }
    const filled = [
      'users',
      'sessions',
      'sign_in_codes',
      'tokens',
      'token_requests',
      'grants',
      'grant_reviews',
      'emergency_records',
      'audit_events',
      'attempt_counters',
      'outbox',
      'token_counts',
      'user_stock',
      'settings',
    ];
    for (const t of filled) expect(atBackup.tables[t]?.rows, t).toBeGreaterThan(0);
    file = idle;
  });

  it('restore is refused while the server runs, and changes nothing', async () => {
    const server = await startServer();
    await validateToken(server.ctx, seeded.nurses[0]!, { token: seeded.available[seeded.nurses[0]!.id]![3]!, reason: 'after the backup' });
    const r = await cli(['restore', file]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('open in another process');
    expect(readdirSync(dataDir).filter((f) => f.startsWith('pglite.before-restore'))).toEqual([]);
  });

  it('stopped, restore brings back exactly what was backed up, and keeps the database it replaced', async () => {
    await stopServer();
    const changed = await fingerprintOf(dataDir);
    expect(differences(atBackup, changed).length).toBeGreaterThan(0); // the validation after the backup

    const r = await cli(['restore', file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/identical to the backup/);
    const kept = readdirSync(dataDir).filter((f) => f.startsWith('pglite.before-restore'));
    expect(kept).toHaveLength(1);
    expect(r.out).toContain(kept[0]);

    expect(differences(atBackup, await fingerprintOf(dataDir), { sequences: 'not-behind' })).toEqual([]);
    // And the server runs on it: the token used after the backup is available again.
    const server = await startServer();
    const { grant } = await validateToken(server.ctx, seeded.nurses[0]!, { token: seeded.available[seeded.nurses[0]!.id]![3]!, reason: 'after the restore' });
    expect(grant.userId).toBe(seeded.nurses[0]!.id);
    await stopServer();
  });

  it('restore into an empty DATA_DIR (a new machine) gives the same database, and says when its secret is missing', async () => {
    const elsewhere = join(work, 'new-machine');
    // No APP_SECRET: the new machine would generate its own, under which no restored token validates.
    const r = await cli(['restore', file], { DATA_DIR: elsewhere, APP_SECRET: '' });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/warning: \d+ available token\(s\) in it were made under APP_SECRET key [0-9a-f]{12}, which this configuration does not have/);
    expect(differences(atBackup, await fingerprintOf(elsewhere), { sequences: 'not-behind' })).toEqual([]);
    expect(existsSync(join(elsewhere, 'pglite.lock'))).toBe(false);
  });
});

describe.runIf(postgresAvailable)('migrate-to-postgres', { timeout: 240_000 }, () => {
  it('copies every row into an empty Postgres: every table identical, sequences, counters and triggers intact, tokens still work', async () => {
    await stopServer();
    const target = await freshDatabase({ postgres: true });
    try {
      await target.database.close();
      const source = await fingerprintOf(dataDir);

      const r = await cli(['migrate-to-postgres', '--to', target.url!]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('both databases hold the same');
      // The chains and checkpoints came across intact: the target verifies as the source would.
      expect(r.out).toMatch(/audit trail verified in the target: [1-9]\d* events on \d+ chains, \d+ signed checkpoint\(s\), no breaks/);

      // Checked again here, independently of the command's own check.
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        const q = pgQueryable(client);
        const moved = await fingerprint(q);
        expect(differences(source, moved)).toEqual([]);
        expect(Object.keys(moved.tables).length).toBe(Object.keys(source.tables).length);
        // The audit trail is still append-only, and the next event continues the ids.
        await expect(client.query(`update audit_events set action = 'x' where id = (select min(id) from audit_events)`)).rejects.toThrow(/append-only/);
        const maxAudit = Number((await client.query(`select max(id)::text as m from audit_events`)).rows[0].m);
        // Counters agree with the tokens after the copy, and the triggers keep them (on again).
        expect(
          (
            await client.query(
              `select count(*)::int as n from user_stock s where s.available <> (select count(*) from tokens t where t.user_id = s.user_id and t.status = 'available')`,
            )
          ).rows[0].n,
        ).toBe(0);

        // A server on Postgres with the same APP_SECRET: old tokens validate, sealed ones are revealed.
        const pgConfig = loadConfig({ DATABASE_URL: target.url!, APP_SECRET: SECRET, DATA_DIR: join(work, 'pg-data'), LOG_LEVEL: 'silent' });
        const server = await createRuntime(pgConfig, { logger: createLogger('silent'), background: false });
        try {
          const nurse = seeded.nurses[0]!;
          const left = seeded.available[nurse.id]![4]!;
          const { grant } = await validateToken(server.ctx, nurse, { token: left, reason: 'after the move' });
          expect(grant.userId).toBe(nurse.id);
          const [event] = await rows<{ id: string }>(server.ctx.db, sql`select id::text from audit_events where grant_id = ${grant.id}`);
          expect(Number(event!.id)).toBe(maxAudit + 1);
          const stock = await rows<{ n: number }>(server.ctx.db, sql`select available as n from user_stock where user_id = ${nurse.id}`);
          const count = await rows<{ n: number }>(
            server.ctx.db,
            sql`select count(*)::int as n from tokens where user_id = ${nurse.id} and status = 'available'`,
          );
          expect(stock[0]!.n).toBe(count[0]!.n);
          // The three tokens of the approved request wait sealed for their holder: unsealed with the same
          // secret, and each validates (its HMAC was carried over too).
          const holder = seeded.nurses[2]!;
          const revealed = await revealMyTokens(server.ctx, holder);
          expect(revealed).toHaveLength(3);
          const again = await validateToken(server.ctx, holder, { token: revealed[0]!.token, reason: 'revealed after the move' });
          expect(again.grant.userId).toBe(holder.id);
        } finally {
          await server.close();
        }
      } finally {
        await client.end();
      }

      // A second move into the now populated database is refused, and changes nothing there.
      const again = await cli(['migrate-to-postgres', '--to', target.url!]);
      expect(again.code).not.toBe(0);
      expect(again.err).toContain('moving needs an empty database');
    } finally {
      await target.drop();
    }
  });
});

describe.runIf(postgresAvailable)('Postgres: the documented pg_dump / pg_restore', { timeout: 240_000 }, () => {
  it('a custom-format dump restored into an empty database holds the same (fingerprint command on both), triggers included', async () => {
    const h = await startHarness({}, { postgres: true });
    const copy = await freshDatabase({ postgres: true });
    const dump = join(work, 'pg.dump');
    try {
      await copy.database.close();
      await populate(h.runtime.ctx, 'pgd');
      // README, "Backups": the same two commands.
      await run('pg_dump', ['--format=custom', `--file=${dump}`, h.db.url!]);
      // The copy was migrated by the test helper; pg_restore wants it empty, as a new database is.
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: copy.url });
      await admin.connect();
      await admin.query('drop schema public cascade; drop schema drizzle cascade; create schema public');
      await admin.end();
      await run('pg_restore', ['--exit-on-error', '--no-owner', '--single-transaction', `--dbname=${copy.url}`, dump]);

      const original = await cli(['fingerprint'], { DATABASE_URL: h.db.url! });
      const restored = await cli(['fingerprint'], { DATABASE_URL: copy.url! });
      expect(original.code, original.err).toBe(0);
      expect(original.out).toMatch(/audit_events\s+\d+ rows\s+sha256 [0-9a-f]{16}/);
      expect(restored.out).toBe(original.out);
      const check = new pg.Client({ connectionString: copy.url });
      await check.connect();
      try {
        await expect(check.query(`delete from audit_events`)).rejects.toThrow(/append-only/);
      } finally {
        await check.end();
      }
    } finally {
      await h.close();
      await copy.drop();
    }
  });
});
