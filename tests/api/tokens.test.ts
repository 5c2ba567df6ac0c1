// Token validation through the API: single use under concurrency, the 422 outcomes and what they may
// tell, the per-user lockout, expiry (by date and by the sweep), and the one-time reveal of assigned tokens.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../../api/domain/crypto';
import { sweepExpired } from '../../api/domain/sweep';
import { countRows, dbRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
});
afterAll(() => h?.close());

const validate = (user: TestUser, token: string, reason = 'cardiac arrest bed 4') =>
  h.http('POST', '/api/v1/tokens/validate', { cookie: user.cookie, body: { token, reason } });

/** A six-digit code that names no token in this database at all. */
async function neverIssued(): Promise<string> {
  for (;;) {
    const code = String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');
    if ((await countRows(h, 'tokens', sql`hash = ${tokenHash(h.config.secret, code)}`)) === 0) return code;
  }
}

/** Move a use back in time, past the double-tap window. */
const usedLongAgo = (tokenId: string) => dbRows(h, sql`update tokens set used_at = now() - interval '1 minute' where id = ${tokenId}`);

const auditCount = (action: string, where: ReturnType<typeof sql>) => countRows(h, 'audit_events', sql`action = ${action} and ${where}`);

describe('concurrent validation of one token', () => {
  it('an unassigned token validated by 50 different users at once opens exactly one grant', async () => {
    const [t] = await generate(h, admin, { count: 1 });
    const users = await Promise.all(Array.from({ length: 50 }, () => quickUser(h)));
    const replies = await Promise.all(users.map((u) => validate(u, t!.token)));

    const ok = replies.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of replies.filter((r) => r.status !== 200)) expectError(r, 422, 'token_invalid'); // not theirs: never "used"
    const winner = users[replies.indexOf(ok[0]!)]!;
    expect(ok[0]!.body.grant.userId).toBe(winner.id);

    expect(await countRows(h, 'grants', sql`token_id = ${t!.id}`)).toBe(1);
    expect(await auditCount('token.validated', sql`token_id = ${t!.id} and outcome = 'success'`)).toBe(1);
    const [row] = await dbRows<{ status: string; used_by: string }>(h, sql`select status, used_by from tokens where id = ${t!.id}`);
    expect(row).toEqual({ status: 'used', used_by: winner.id });
  });

  it('an assigned token validated 50 times at once by its owner opens exactly one grant', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    const replies = await Promise.all(Array.from({ length: 50 }, () => validate(nurse, t!.token)));

    const opened = replies.filter((r) => r.status === 200 && !r.body.alreadyUsed);
    expect(opened).toHaveLength(1);
    // The others are repeats of a use seconds old: they get that same session back (a double tap, not a
    // failure), or, when they were checked before the use committed, "used" (then the lockout answers).
    for (const r of replies.filter((r) => r !== opened[0])) {
      if (r.status === 200) expect(r.body).toMatchObject({ alreadyUsed: true, grant: { id: opened[0]!.body.grant.id } });
      else if (r.status === 422) expectError(r, 422, 'token_used');
      else expectError(r, 429, 'too_many_attempts');
    }
    expect(await countRows(h, 'grants', sql`token_id = ${t!.id}`)).toBe(1);
    expect(await countRows(h, 'grants', sql`user_id = ${nurse.id}`)).toBe(1);
    expect(await auditCount('token.validated', sql`token_id = ${t!.id} and outcome = 'success' and not details ? 'repeat'`)).toBe(1);
    // At most one lockout, however many failures raced for it.
    expect(await auditCount('lockout', sql`subject_user_id = ${nurse.id}`)).toBeLessThanOrEqual(1);
  });
});

describe('validation outcomes (422)', () => {
  it('a used token is token_used for its owner, token_invalid for anyone else', async () => {
    const nurse = await quickUser(h);
    const other = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    expect((await validate(nurse, t!.token)).status).toBe(200);
    await usedLongAgo(t!.id);

    const again = await validate(nurse, t!.token);
    expectError(again, 422, 'token_used');
    expect(again.body.error.details.attemptsLeft).toBe(4);
    const stranger = await validate(other, t!.token);
    expectError(stranger, 422, 'token_invalid');
    expect(stranger.body.error.details.attemptsLeft).toBe(4);
  });

  it('a used unassigned token is token_invalid even for the user who used it (not their own token)', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1 });
    expect((await validate(nurse, t!.token)).status).toBe(200);
    await usedLongAgo(t!.id);
    expectError(await validate(nurse, t!.token), 422, 'token_invalid');
  });

  it('an expired token (expires_at passed, before any sweep) is token_expired for its owner only', async () => {
    const nurse = await quickUser(h);
    const other = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id, expiresInDays: 1 });
    await dbRows(h, sql`update tokens set expires_at = now() - interval '1 minute' where id = ${t!.id}`);

    const mine = await validate(nurse, t!.token);
    expectError(mine, 422, 'token_expired');
    expect(mine.body.error.details.attemptsLeft).toBe(4);
    expectError(await validate(other, t!.token), 422, 'token_invalid');
    const [row] = await dbRows<{ status: string }>(h, sql`select status from tokens where id = ${t!.id}`);
    expect(row!.status).toBe('available'); // the failed attempt consumed nothing
    expect(await countRows(h, 'grants', sql`token_id = ${t!.id}`)).toBe(0);
  });

  it('a token expired by the sweep is token_expired for its owner; the sweep audits it', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id, expiresInDays: 1 });
    await dbRows(h, sql`update tokens set expires_at = now() - interval '1 minute' where id = ${t!.id}`);
    const swept = await sweepExpired(h.runtime.ctx);
    expect(swept.tokens).toBeGreaterThanOrEqual(1);
    const [row] = await dbRows<{ status: string; sealed: string | null }>(h, sql`select status, sealed from tokens where id = ${t!.id}`);
    expect(row).toEqual({ status: 'expired', sealed: null });
    expect(await auditCount('token.expired', sql`token_id = ${t!.id}`)).toBe(1);

    expectError(await validate(nurse, t!.token), 422, 'token_expired');
  });

  it('a revoked token is token_invalid, even for its owner', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    const revoked = await h.http('DELETE', `/api/v1/tokens/${t!.id}`, { cookie: admin.cookie });
    expect(revoked.status).toBe(200);
    expect(revoked.body.token.status).toBe('revoked');
    const res = await validate(nurse, t!.token);
    expectError(res, 422, 'token_invalid');
    expect(res.body.error.details.attemptsLeft).toBe(4);
  });

  it("another user's available token is token_invalid and stays available", async () => {
    const owner = await quickUser(h);
    const other = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: owner.id });
    expectError(await validate(other, t!.token), 422, 'token_invalid');
    const [row] = await dbRows<{ status: string }>(h, sql`select status from tokens where id = ${t!.id}`);
    expect(row!.status).toBe('available');
    expect((await validate(owner, t!.token)).status).toBe(200);
  });

  it('a never-issued token is token_invalid, and the failure is audited without the typed code', async () => {
    const nurse = await quickUser(h);
    const code = await neverIssued();
    const res = await validate(nurse, code);
    expectError(res, 422, 'token_invalid');
    expect(res.body.error.details.attemptsLeft).toBe(4);
    const [ev] = await dbRows<{ details: Record<string, unknown>; token_id: string | null }>(
      h,
      sql`select details, token_id from audit_events where action = 'token.validated' and outcome = 'failure' and actor_id = ${nurse.id}`,
    );
    expect(ev!.token_id).toBeNull();
    expect(ev!.details).toMatchObject({ code: 'token_invalid', attemptsLeft: 4 });
    expect(JSON.stringify(ev!.details)).not.toContain(code);
  });
});

describe('validation lockout', () => {
  it('the fifth failure in a row locks (audited once); the sixth attempt gets 429 with Retry-After, even with a good token', async () => {
    const nurse = await quickUser(h);
    const [good] = await generate(h, admin, { count: 1, userId: nurse.id });
    const bad = await neverIssued();
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await validate(nurse, bad);
      expectError(r, 422, 'token_invalid');
      left.push(r.body.error.details.attemptsLeft);
      expect(await auditCount('lockout', sql`subject_user_id = ${nurse.id}`)).toBe(i === 4 ? 1 : 0);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);

    const sixth = await validate(nurse, good!.token);
    expectError(sixth, 429, 'too_many_attempts');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    const [row] = await dbRows<{ status: string }>(h, sql`select status from tokens where id = ${good!.id}`);
    expect(row!.status).toBe('available');
    const [lock] = await dbRows<{ details: Record<string, unknown> }>(
      h,
      sql`select details from audit_events where action = 'lockout' and subject_user_id = ${nurse.id}`,
    );
    expect(lock!.details).toMatchObject({ scope: 'validation', failures: 5 });
  });

  it('concurrent wrong guesses cannot exceed the limit: at most five are evaluated, the rest get 429', async () => {
    // A burst of parallel guesses must not all be checked before the lockout lands, or the limit does not
    // bound guessing at all.
    const nurse = await quickUser(h);
    const codes = await Promise.all(Array.from({ length: 20 }, () => neverIssued()));
    const replies = await Promise.all(codes.map((c) => validate(nurse, c)));
    const evaluated = replies.filter((r) => r.status === 422);
    const refused = replies.filter((r) => r.status === 429);
    expect({ evaluated: evaluated.length, refused: refused.length }).toEqual({ evaluated: 5, refused: 15 });
    for (const r of refused) {
      expectError(r, 429, 'too_many_attempts');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(await countRows(h, 'audit_events', sql`action = 'token.validated' and actor_id = ${nurse.id} and details->>'code' = 'token_invalid'`)).toBe(5);
    expect(await auditCount('lockout', sql`subject_user_id = ${nurse.id}`)).toBe(1);
  });

  it('a success does not clear the window: 4 wrong, 1 right, 1 wrong locks (5 failures in 15 minutes)', async () => {
    const nurse = await quickUser(h);
    const [t1, t2] = await generate(h, admin, { count: 2, userId: nurse.id });
    const bad = await neverIssued();
    for (let i = 0; i < 4; i++) expectError(await validate(nurse, bad), 422, 'token_invalid');
    expect((await validate(nurse, t1!.token)).status).toBe(200);
    const fifth = await validate(nurse, bad);
    expectError(fifth, 422, 'token_invalid');
    expect(fifth.body.error.details).toMatchObject({ attemptsLeft: 0 });
    expect(fifth.body.error.details.lockedUntil).toEqual(expect.any(String));
    expect(await auditCount('lockout', sql`subject_user_id = ${nurse.id}`)).toBe(1);
    expectError(await validate(nurse, t2!.token), 429, 'too_many_attempts');
  });

  it('the row "4 wrong guesses, then one of my own tokens, repeated" locks at the fifth wrong guess', async () => {
    const nurse = await quickUser(h);
    const own = await generate(h, admin, { count: 10, userId: nurse.id });
    const bad = await neverIssued();
    const outcomes: number[] = [];
    for (let round = 0; round < 10 && !outcomes.includes(429); round++) {
      for (let i = 0; i < 4; i++) outcomes.push((await validate(nurse, bad)).status);
      outcomes.push((await validate(nurse, own[round]!.token)).status);
    }
    // 4 × 422, a success, then the fifth wrong guess locks; the next try is refused.
    expect(outcomes.slice(0, 7)).toEqual([422, 422, 422, 422, 200, 422, 429]);
    expect(
      await countRows(
        h,
        'audit_events',
        sql`action = 'token.validated' and outcome = 'failure' and actor_id = ${nurse.id} and details->>'code' = 'token_invalid'`,
      ),
    ).toBe(5);
  });

  it('failures older than the window no longer count (it slides)', async () => {
    const nurse = await quickUser(h);
    const bad = await neverIssued();
    for (let i = 0; i < 4; i++) expectError(await validate(nurse, bad), 422, 'token_invalid');
    // Three of the four move out of the 15-minute window.
    await dbRows(
      h,
      sql`update attempt_counters set failed_at = array[now() - interval '20 minutes', now() - interval '16 minutes', now() - interval '15 minutes 1 second', failed_at[4]] where key = ${`validate:${nurse.id}`}`,
    );
    const r = await validate(nurse, bad);
    expectError(r, 422, 'token_invalid');
    expect(r.body.error.details.attemptsLeft).toBe(3);
  });

  it('a lockout ends after LOCKOUT_MINUTES and the user starts afresh', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    const bad = await neverIssued();
    for (let i = 0; i < 5; i++) await validate(nurse, bad);
    expectError(await validate(nurse, t!.token), 429, 'too_many_attempts');
    await dbRows(h, sql`update attempt_counters set locked_until = now() - interval '1 second' where key = ${`validate:${nurse.id}`}`);
    const r = await validate(nurse, bad);
    expectError(r, 422, 'token_invalid');
    expect(r.body.error.details.attemptsLeft).toBe(4);
    expect((await validate(nurse, t!.token)).status).toBe(200);
  });

  it('the lockout is per user: a locked-out colleague does not block anyone else', async () => {
    const locked = await quickUser(h);
    const colleague = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1 });
    const bad = await neverIssued();
    for (let i = 0; i < 5; i++) await validate(locked, bad);
    expectError(await validate(locked, t!.token), 429, 'too_many_attempts');
    expect((await validate(colleague, t!.token)).status).toBe(200);
  });
});

describe('double tap', () => {
  it('the same own token twice within a second: the second answers the open session and is not a failure', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    const first = await validate(nurse, t!.token);
    expect(first.status).toBe(200);
    const second = await validate(nurse, t!.token);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ alreadyUsed: true, grant: { id: first.body.grant.id, tokenId: t!.id } });
    expect(first.body.alreadyUsed).toBeUndefined();
    // Not counted: a wrong guess afterwards still has all its attempts.
    const wrong = await validate(nurse, await neverIssued());
    expect(wrong.body.error.details.attemptsLeft).toBe(4);
    expect(await countRows(h, 'grants', sql`user_id = ${nurse.id}`)).toBe(1);
    expect(
      await countRows(
        h,
        'audit_events',
        sql`action = 'token.validated' and actor_id = ${nurse.id} and details->>'repeat' = 'true' and grant_id = ${first.body.grant.id}`,
      ),
    ).toBe(1);
  });

  it('a repeat after the session was ended, or long after, is the usual "used"', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    expect((await validate(nurse, t!.token)).status).toBe(200);
    expect((await h.http('POST', '/api/v1/emergency-session/clear', { cookie: nurse.cookie })).status).toBe(204);
    expectError(await validate(nurse, t!.token), 422, 'token_used');
  });

  it("someone else's repeat of a token just used is no double tap", async () => {
    const nurse = await quickUser(h);
    const other = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1 });
    expect((await validate(nurse, t!.token)).status).toBe(200);
    expectError(await validate(other, t!.token), 422, 'token_invalid');
  });
});

describe('one-time reveal of assigned tokens', () => {
  it('POST /tokens/reveal gives the sealed plaintexts to their holder once, then nothing', async () => {
    const nurse = await quickUser(h);
    const other = await quickUser(h);
    const issued = await generate(h, admin, { count: 3, userId: nurse.id });
    const [general] = await generate(h, admin, { count: 1 });

    const mine = await h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie });
    expect(mine.body.pendingReveal).toBe(3);
    expect(mine.body.available).toBe(3);
    for (const t of issued) expect(mine.text).not.toContain(`"${t.token}"`);

    expect((await h.http('POST', '/api/v1/tokens/reveal', { cookie: other.cookie })).body.tokens).toEqual([]);
    const first = await h.http('POST', '/api/v1/tokens/reveal', { cookie: nurse.cookie });
    expect(first.status).toBe(200);
    const byId = (xs: Array<{ id: string; token: string }>) => Object.fromEntries(xs.map((x) => [x.id, x.token]));
    expect(byId(first.body.tokens)).toEqual(byId(issued));
    expect(first.body.tokens.map((t: { id: string }) => t.id)).not.toContain(general!.id);

    const second = await h.http('POST', '/api/v1/tokens/reveal', { cookie: nurse.cookie });
    expect(second.status).toBe(200);
    expect(second.body.tokens).toEqual([]);
    expect(await countRows(h, 'tokens', sql`user_id = ${nurse.id} and sealed is not null`)).toBe(0);
    expect((await h.http('GET', '/api/v1/tokens/mine', { cookie: nurse.cookie })).body.pendingReveal).toBe(0);
    // The revealed code still works: revealing is not using.
    expect((await validate(nurse, first.body.tokens[0].token)).status).toBe(200);
  });

  it('a token used or revoked before the reveal is never revealed', async () => {
    const nurse = await quickUser(h);
    const [a, b, c] = await generate(h, admin, { count: 3, userId: nurse.id });
    expect((await validate(nurse, a!.token)).status).toBe(200);
    expect((await h.http('DELETE', `/api/v1/tokens/${b!.id}`, { cookie: admin.cookie })).status).toBe(200);
    const res = await h.http('POST', '/api/v1/tokens/reveal', { cookie: nurse.cookie });
    expect(res.body.tokens.map((t: { id: string }) => t.id)).toEqual([c!.id]);
  });

  it('anonymous callers cannot reveal', async () => {
    expectError(await h.http('POST', '/api/v1/tokens/reveal'), 401, 'unauthenticated');
  });
});

describe('revoke', () => {
  it('revoking a used token is 409 conflict and changes nothing; an unknown id is 404', async () => {
    const nurse = await quickUser(h);
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    expect((await validate(nurse, t!.token)).status).toBe(200);
    expectError(await h.http('DELETE', `/api/v1/tokens/${t!.id}`, { cookie: admin.cookie }), 409, 'conflict');
    const [row] = await dbRows<{ status: string }>(h, sql`select status from tokens where id = ${t!.id}`);
    expect(row!.status).toBe('used');
    expectError(await h.http('DELETE', '/api/v1/tokens/00000000-0000-4000-8000-000000000000', { cookie: admin.cookie }), 404, 'not_found');
  });
});
