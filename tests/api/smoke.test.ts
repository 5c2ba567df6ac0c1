import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, startHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('smoke', () => {
  it('signs in, generates, validates', async () => {
    const admin = await h.user('admin');
    const nurse = await h.user('staff');
    const [t] = await generate(h, admin, { count: 1, userId: nurse.id });
    const ok = await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'cardiac arrest bed 4' } });
    expect(ok.status).toBe(200);
    expect(ok.body.grant.userId).toBe(nurse.id);
    // A double tap answers the open session; once it is ended, the token is plainly used.
    const tap = await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'cardiac arrest bed 4' } });
    expect(tap.body).toMatchObject({ alreadyUsed: true, grant: { id: ok.body.grant.id } });
    expect((await h.http('POST', '/api/v1/emergency-session/clear', { cookie: nurse.cookie })).status).toBe(204);
    const again = await h.http('POST', '/api/v1/tokens/validate', { cookie: nurse.cookie, body: { token: t!.token, reason: 'cardiac arrest bed 4' } });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('token_used');
  });
});
