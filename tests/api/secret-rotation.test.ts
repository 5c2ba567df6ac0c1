// Rotating APP_SECRET: tokens made under the old secret keep validating and unsealing while it is in
// APP_SECRET_PREVIOUS; new tokens are made under the new one; sessions survive (they never used the
// secret). Without the old secret, the server says at start which tokens it cannot validate, and they are
// refused as invalid. Three servers on one database: before the rotation, after it, and misconfigured.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config';
import { keyId, seal, unseal } from '../../api/domain/crypto';
import { secretStatus } from '../../api/domain/secrets';
import { createRuntime, type Runtime } from '../../api/runtime';
import { dbRows, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

const OLD = randomBytes(32).toString('hex');
const NEW = randomBytes(32).toString('hex');

let h: Harness;
let admin: TestUser;
let nurse: TestUser;
let mine: Array<{ id: string; token: string }>;
let general: Array<{ id: string; token: string }>;

/** Another server on the same database with other secrets; its error log lines are collected. */
async function serverWith(env: Record<string, string>): Promise<{ runtime: Runtime; errors: Array<Record<string, unknown>> }> {
  const errors: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) errors.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({ ...baseEnv(), ...env });
  // Not closed by the test: it shares the harness's database, which the harness closes.
  const runtime = await createRuntime(config, { logger: pino({ level: 'error', base: undefined }, sink), background: false, database: h.db.database });
  return { runtime, errors };
}

/** The harness's settings (same database, same DATA_DIR), secrets left to each test. */
const baseEnv = () => ({ DATA_DIR: h.config.dataDir, LOG_LEVEL: 'silent', ...(h.db.url ? { DATABASE_URL: h.db.url } : {}) });

async function call(runtime: Runtime, method: string, path: string, cookie: string, body?: unknown) {
  const res = await runtime.app.request(path, {
    method,
    headers: { cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  h = await startHarness({ APP_SECRET: OLD });
  admin = await quickUser(h, 'admin');
  nurse = await quickUser(h, 'staff');
  // Made under the old secret: assigned ones wait sealed for their holder, general ones do not.
  mine = await generate(h, admin, { count: 3, userId: nurse.id });
  general = await generate(h, admin, { count: 2 });
});
afterAll(() => h?.close());

describe('sealed values carry the key id of the secret that sealed them', () => {
  it('new format names its key; the old format (no key id) still opens with either secret', () => {
    const [a, b] = [Buffer.from(OLD), Buffer.from(NEW)];
    const sealed = seal(a, '123456');
    expect(sealed.split('.')[0]).toBe(keyId(a));
    expect(unseal([b, a], sealed)).toBe('123456');
    expect(() => unseal([b], sealed)).toThrow(/not configured/);
    const legacy = sealed.split('.').slice(1).join('.');
    expect(unseal([b, a], legacy)).toBe('123456');
    expect(() => unseal([b], legacy)).toThrow();
    expect(keyId(a)).not.toBe(keyId(b));
    expect(keyId(a)).not.toContain(OLD.slice(0, 8));
  });
});

describe('after a rotation (APP_SECRET new, APP_SECRET_PREVIOUS old)', () => {
  let server: Runtime;
  let errors: Array<Record<string, unknown>>;
  beforeAll(async () => {
    ({ runtime: server, errors } = await serverWith({ APP_SECRET: NEW, APP_SECRET_PREVIOUS: `${randomBytes(32).toString('hex')}, ${OLD}` }));
  });

  it('starts without complaint, and sessions made before the rotation still work', async () => {
    expect(errors).toEqual([]);
    expect((await call(server, 'GET', '/api/v1/me', nurse.cookie)).status).toBe(200);
  });

  it('old tokens validate (assigned and general), and a double tap on one is recognised as the same use', async () => {
    const ok = await call(server, 'POST', '/api/v1/tokens/validate', nurse.cookie, { token: mine[0]!.token, reason: 'after rotation' });
    expect(ok.status).toBe(200);
    const again = await call(server, 'POST', '/api/v1/tokens/validate', nurse.cookie, { token: mine[0]!.token, reason: 'after rotation' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ alreadyUsed: true, grant: { id: ok.body.grant.id } });
    expect((await call(server, 'POST', '/api/v1/tokens/validate', nurse.cookie, { token: general[0]!.token, reason: 'general, old secret' })).status).toBe(200);
  });

  it('old sealed tokens are revealed to their holder; new ones are made and sealed under the new secret', async () => {
    const revealed = await call(server, 'POST', '/api/v1/tokens/reveal', nurse.cookie, {});
    expect(revealed.status).toBe(200);
    expect(revealed.body.tokens.map((t: { token: string }) => t.token).sort()).toEqual(
      mine
        .slice(1)
        .map((t) => t.token)
        .sort(),
    );

    const fresh = await call(server, 'POST', '/api/v1/tokens/generate', admin.cookie, { count: 1, userId: nurse.id });
    expect(fresh.status).toBe(201);
    const [row] = await dbRows<{ sealed: string }>(h, sql`select sealed from tokens where id = ${fresh.body.tokens[0].id}`);
    expect(row!.sealed.split('.')[0]).toBe(keyId(Buffer.from(NEW)));
    expect((await call(server, 'POST', '/api/v1/tokens/validate', nurse.cookie, { token: fresh.body.tokens[0].token, reason: 'new secret' })).status).toBe(200);
  });

  it('the status says which secret the remaining tokens need', async () => {
    const status = await secretStatus(server.ctx);
    const byKey = Object.fromEntries(status.map((k) => [k.keyId, k]));
    expect(byKey[keyId(Buffer.from(OLD))]).toMatchObject({ configured: 'previous', availableTokens: 3 }); // mine[1], mine[2], general[1]
    expect(byKey[keyId(Buffer.from(NEW))]).toMatchObject({ configured: 'current', availableTokens: 0 });
  });
});

describe('a server started without the old secret (a move or a restore with the wrong APP_SECRET)', () => {
  it('logs which secret is missing and how many tokens need it; those tokens are refused as invalid', async () => {
    const { runtime, errors } = await serverWith({ APP_SECRET: NEW });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ keyId: keyId(Buffer.from(OLD)), availableTokens: 3 });
    expect(String(errors[0]!.msg)).toContain('APP_SECRET_PREVIOUS');
    expect(JSON.stringify(errors)).not.toContain(OLD);
    const refused = await call(runtime, 'POST', '/api/v1/tokens/validate', nurse.cookie, { token: mine[1]!.token, reason: 'no old secret' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('token_invalid');
  });

  it('a previous secret shorter than 32 characters is refused at start', () => {
    expect(() => loadConfig({ ...baseEnv(), APP_SECRET: NEW, APP_SECRET_PREVIOUS: 'short' })).toThrow(/APP_SECRET_PREVIOUS/);
  });
});
