import { z } from '@hono/zod-openapi';
import { login } from '../../domain/auth';
import { presentUser } from '../../domain/users';
import { setSessionCookie } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { UserSchema } from '../schemas';
import type { App } from '../types';
import { LoginInput } from '../../domain/input';

const route = defineRoute('anyone', {
  operationId: 'login',
  method: 'post',
  path: '/auth/login',
  tags: ['auth'],
  summary: 'Sign in with username and password; sets the session cookie',
  request: jsonBody(LoginInput),
  responses: { 200: json(z.object({ user: UserSchema }), 'Signed in'), ...pick(400, 401, 429) },
});

export function registerLogin(app: App) {
  app.openapi(route, async (c) => {
    const input = c.req.valid('json');
    const signedIn = await login(c.get('ctx'), { ...input, ip: c.get('ip') });
    setSessionCookie(c, signedIn.sessionSecret, signedIn.expiresAt);
    return c.json({ user: presentUser(signedIn.user) }, 200);
  });
}
