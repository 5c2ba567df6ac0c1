// A sign-in flood does not take the bedside path down: 40 concurrent wrong-password sign-ins (each a
// full password check) while nurses validate tokens. Every validation succeeds and every sign-in gets
// its answer. How much slower validation gets is measured by the benchmark ("validate under sign-in
// flood"), not asserted here.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, expectError, generate, quickUser, startHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let admin: TestUser;
beforeAll(async () => {
  h = await startHarness();
  admin = await quickUser(h, 'admin');
});
afterAll(() => h?.close());

describe('login flood', () => {
  it('40 concurrent bad sign-ins while validations run: all validations succeed, all sign-ins are answered and audited', async () => {
    const nurses = await Promise.all(Array.from({ length: 10 }, () => quickUser(h)));
    const tokens = await Promise.all(nurses.map((n) => generate(h, admin, { count: 3, userId: n.id })));
    const flood = Promise.all(
      Array.from({ length: 40 }, (_, i) => h.http('POST', '/api/v1/auth/login', { body: { username: `flood-${i}`, password: `wrong-password-${i}` } })),
    );
    const validations = Promise.all(
      nurses.map(async (n, i) => {
        const replies = [];
        for (const t of tokens[i]!) {
          replies.push(await h.http('POST', '/api/v1/tokens/validate', { cookie: n.cookie, body: { token: t.token, reason: 'cardiac arrest bed 4' } }));
        }
        return replies;
      }),
    );
    const [logins, validated] = await Promise.all([flood, validations]);
    expect(validated.flat().map((r) => r.status)).toEqual(Array(30).fill(200));
    for (const r of logins) expectError(r, 401, 'invalid_credentials');
    expect(await countRows(h, 'audit_events', sql`action = 'auth.login' and outcome = 'failure' and details->>'username' like 'flood-%'`)).toBe(40);
    // 40 password checks one or two at a time take a while on a busy machine: a generous bound, not a measure.
  }, 300_000);
});
