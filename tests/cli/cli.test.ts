// The CLI does what the domain offers and nothing more: its input goes through the same rules as the
// API's (a short password, a made-up Slack id, a bad username, an out-of-range expiry are refused and
// change nothing), it acts as a super_admin, and every change is audited under that account.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { runCli } from '../../cli/run';
import { fhirProblems } from '../helpers/fhir';
import { countRows, dbRows, quickUser, startHarness, tableCounts, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const chunks: string[] = [];
  stdout.on('data', (c) => chunks.push(String(c)));
  const code = await runCli(argv, {
    open: async () => ({ ctx: h.runtime.ctx, close: async () => {} }),
    config: () => h.config,
    io: { out: (l) => out.push(l), err: (l) => err.push(l), stdout },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), stdout: chunks.join('') };
}

const userRow = async (username: string) =>
  (
    await dbRows<{ slack_user_id: string | null; password_hash: string | null; role: string }>(
      h,
      sql`select slack_user_id, password_hash, role from users where username = ${username}`,
    )
  )[0];

describe('input rules are the domain’s', () => {
  it('users add bob --password abc is refused, and creates nothing', async () => {
    const before = await tableCounts(h);
    const res = await cli('users', 'add', 'bob', '--name', 'Bob', '--password', 'abc');
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/refused \(invalid_input\).*"password":"at least 10 characters"/);
    expect(await userRow('bob')).toBeUndefined();
    expect(await tableCounts(h)).toEqual(before);
  });

  it('users link-slack bob xyz is refused, and changes nothing', async () => {
    expect((await cli('users', 'add', 'bob', '--name', 'Bob', '--password', 'long-enough-1')).code).toBe(0);
    const res = await cli('users', 'link-slack', 'bob', 'xyz');
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/refused \(invalid_input\).*"slackUserId"/);
    expect((await userRow('bob'))!.slack_user_id).toBeNull();

    const ok = await cli('users', 'link-slack', 'bob', 'U0BOBSLACK1');
    expect(ok.code).toBe(0);
    expect(ok.out).toBe('"bob" is linked to Slack user U0BOBSLACK1');
    expect((await userRow('bob'))!.slack_user_id).toBe('U0BOBSLACK1');
    expect((await cli('users', 'link-slack', 'bob', 'none')).code).toBe(0);
    expect((await userRow('bob'))!.slack_user_id).toBeNull();
  });

  it.each([
    ['a username with a space', ['users', 'add', 'two words', '--name', 'X'], 'username'],
    ['a one-letter username', ['users', 'add', 'x', '--name', 'X'], 'username'],
    ['an unknown role', ['users', 'add', 'carol', '--role', 'root'], 'role'],
    ['a bad Slack id on add', ['users', 'add', 'dave', '--slack', 'dave'], 'slackUserId'],
    ['a short new password', ['users', 'set-password', 'bob', '--password', 'short'], 'password'],
    ['an unknown role on set-role', ['users', 'set-role', 'bob', 'root'], 'role'],
    ['an expiry past a year', ['tokens', 'generate', '--count', '1', '--expires-days', '9999'], 'expiresInDays'],
    ['a 7-digit length', ['tokens', 'generate', '--count', '1', '--length', '7'], 'length'],
  ])('refuses %s as the API does', async (_name, argv, field) => {
    const before = await tableCounts(h);
    const res = await cli(...argv);
    expect(res.code).toBe(2);
    expect(res.err).toContain('refused (invalid_input)');
    expect(res.err).toContain(`"${field}"`);
    expect(await tableCounts(h)).toEqual(before);
  });

  it('a count above MAX_GENERATE_COUNT is refused by the domain', async () => {
    const res = await cli('tokens', 'generate', '--count', String(h.config.maxGenerateCount + 1));
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/refused \(invalid_input\): count must be between 1 and/);
  });
});

describe('what the CLI does', () => {
  it('creates accounts with a generated password, as the first super_admin, audited under that account', async () => {
    const res = await cli('users', 'add', 'erin', '--name', 'Erin Nurse');
    expect(res.code).toBe(0);
    const password = /with password: (\S+)$/.exec(res.out)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(10);
    const login = await h.http('POST', '/api/v1/auth/login', { body: { username: 'erin', password } });
    expect(login.status).toBe(200);
    const [ev] = await dbRows<{ actor: string }>(
      h,
      sql`select u.username as actor from audit_events a join users u on u.id = a.actor_id where a.action = 'user.created' and a.details->>'username' = 'erin'`,
    );
    expect(ev!.actor).toBe('root');
  });

  it('acts only as a super_admin', async () => {
    const admin = await quickUser(h, 'admin');
    const res = await cli('users', 'list', '--as', admin.username);
    expect(res.code).toBe(2);
    expect(res.err).toContain('refused (forbidden)');
    expect((await cli('users', 'list', '--as', 'nobody-at-all')).err).toContain('refused (not_found)');
  });

  it('lists users, generates tokens for one, and exports the audit trail', async () => {
    const list = await cli('users', 'list');
    expect(list.code).toBe(0);
    expect(list.out.split('\n')[0]).toMatch(/^username\s+name\s+role\s+active\s+slack\s+available$/);
    expect(list.out).toMatch(/\nbob\s+Bob\s+staff\s+true/);

    const gen = await cli('tokens', 'generate', '--count', '3', '--user', 'bob');
    expect(gen.code).toBe(0);
    const codes = gen.out.split('\n').slice(1);
    expect(codes).toHaveLength(3);
    for (const c of codes) expect(c).toMatch(/^\d{6}$/);
    const [bob] = await dbRows<{ id: string }>(h, sql`select id from users where username = 'bob'`);
    expect(await countRows(h, 'tokens', sql`user_id = ${bob!.id} and status = 'available'`)).toBe(3);

    const csv = await cli('audit', 'export', '--action', 'token.generated');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.slice(1).every((l) => l.includes('token.generated'))).toBe(true);
  });

  it('exports the same trail as FHIR AuditEvent NDJSON, each line a valid R4 resource; a bad format is a usage error', async () => {
    const out = await cli('audit', 'export', '--format', 'ndjson', '--action', 'token.generated');
    expect(out.code).toBe(0);
    expect(out.stdout.endsWith('\n')).toBe(true);
    const resources = out.stdout
      .slice(0, -1)
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(resources.length).toBe(await countRows(h, 'audit_events', sql`action = 'token.generated'`));
    for (const r of resources) {
      expect(r.subtype).toContainEqual({ system: 'urn:emergency-token:audit-action', code: 'token.generated' });
      expect(fhirProblems(r)).toEqual([]);
    }
    const [own] = await dbRows<{ details: unknown }>(h, sql`select details from audit_events where action = 'audit.exported' order by id desc limit 1`);
    expect(own!.details).toEqual({ format: 'ndjson', filter: { action: 'token.generated' } });
    const bad = await cli('audit', 'export', '--format', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: --format must be csv or ndjson/);
  });

  it('says how to use it when the command is unknown or an argument is missing', async () => {
    const unknown = await cli('users', 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^error: unknown command "users frobnicate"/);
    expect(unknown.err).toContain('npm run cli -- users add USERNAME');
    expect((await cli('users', 'link-slack', 'bob')).err).toMatch(/^error: a SLACK_USER_ID/);
    expect((await cli('tokens', 'generate')).err).toMatch(/^error: --count N is required/);
    expect((await cli('users', 'add', 'x', '--bogus')).code).toBe(2);
  });
});

describe('the real entry point', () => {
  it('npm run cli -- --help prints every command group', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', '--help'], { cwd: process.cwd() });
    for (const group of ['users list', 'tokens generate', 'audit export']) expect(stdout).toContain(`npm run cli -- ${group}`);
  });
});
