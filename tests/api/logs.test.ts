// Logs never carry query parameters, request bodies, patient data, hashes or ciphertexts. Patient data,
// passwords and tokens are sent through the real API while the database is made to refuse the write
// (check constraints added for the test): the failing queries' bound parameters hold a patient's name and
// complaint, a password hash, token hashes and sealed tokens. The captured log (level debug) must name the
// failure by code, constraint and table, and hold none of those values.
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, safeError } from '../../api/logger';
import { dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(String(chunk));
    done();
  },
});

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
beforeAll(async () => {
  h = await startHarness({}, { logger: createLogger('debug', sink) });
  admin = await quickUser(h, 'super_admin');
  nurse = await quickUser(h);
  const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
  expect((await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'log test' } })).status).toBe(200);
  // The database refuses these writes, as it might for any reason in production.
  await dbRows(h, sql`alter table emergency_records add constraint log_test_refuse check (notes is distinct from 'refuse me')`);
  await dbRows(h, sql`alter table users add constraint log_test_refuse check (name <> 'Refuse Me')`);
  await dbRows(h, sql`alter table tokens add constraint log_test_refuse check (notes is distinct from 'refuse me')`);
  await dbRows(h, sql`alter table grants add constraint log_test_refuse check (reason <> 'refuse me')`);
});
afterAll(() => h?.close());

const PATIENT = 'Zebulon Quixote-Marlowe';
const COMPLAINT = 'crushing retrosternal pain since 04:10';
const PASSWORD = 'correct-horse-battery-staple-42';

describe('log redaction', () => {
  it('failed writes are logged by code, constraint and table, without parameters, bodies or patient data', async () => {
    const failures = [
      await h.http('POST', '/api/v1/emergency-records', {
        cookie: nurse.cookie,
        body: { patientName: PATIENT, patientRef: 'MRN-55501', complaint: COMPLAINT, triageLevel: 1, notes: 'refuse me' },
      }),
      await h.http('POST', '/api/v1/users', { cookie: admin.cookie, body: { username: 'refuse.me', name: 'Refuse Me', role: 'staff', password: PASSWORD } }),
      await h.http('POST', '/api/v1/tokens/generate', { cookie: admin.cookie, body: { count: 3, userId: nurse.id, notes: 'refuse me' } }),
    ];
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    failures.push(
      await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'refuse me', patientRef: 'MRN-55502' } }),
    );
    for (const f of failures) expectError(f, 500, 'internal');

    const log = lines.join('');
    const errors = lines.map((l) => JSON.parse(l) as { msg: string; err?: Record<string, unknown> }).filter((l) => l.msg === 'unhandled error');
    expect(errors).toHaveLength(4);
    for (const e of errors) expect(e.err).toMatchObject({ type: 'DatabaseError', sqlState: '23514', constraint: 'log_test_refuse' });
    expect(errors.map((e) => e.err!.table).sort()).toEqual(['emergency_records', 'grants', 'tokens', 'users']);

    for (const secret of [PATIENT, COMPLAINT, 'MRN-5550', PASSWORD, 'scrypt$', t!.token]) expect(log, secret).not.toContain(secret);
    // Token hashes are 64 hex digits; sealed tokens are three base64url parts joined by dots.
    expect(log).not.toMatch(/[0-9a-f]{64}/);
    expect(log).not.toMatch(/[\w-]{16}\.[\w-]{22}\.[\w-]{8}/);
    expect(log).not.toMatch(/Failed query|params:|insert into|values \(/i);
  });

  it('the error serializer keeps what helps and drops what quotes values', () => {
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint "users_username_key"'), {
      code: '23505',
      severity: 'ERROR',
      detail: 'Key (username)=(nurse.secret) already exists.',
      constraint: 'users_username_key',
      table: 'users',
    });
    const wrapped = Object.assign(new Error(`Failed query: insert into users ...\nparams: nurse.secret,scrypt$32768$8$1$abc`), {
      query: 'insert ...',
      params: ['nurse.secret'],
      cause: pgError,
    });
    const out = JSON.stringify(safeError(wrapped));
    expect(out).toContain('23505');
    expect(out).toContain('users_username_key');
    expect(out).not.toContain('nurse.secret');
    expect(out).not.toContain('scrypt');
    expect(JSON.stringify(safeError(new SyntaxError('Unexpected token in JSON: {"password":"hunter2"}')))).not.toContain('hunter2');
    expect(safeError('Failed query: select ... params: secret')).not.toContain('secret');
  });
});
