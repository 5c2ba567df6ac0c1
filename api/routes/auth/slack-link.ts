import { z } from '@hono/zod-openapi';
import { redeemSignInCode } from '../../domain/auth';
import { presentUser } from '../../domain/users';
import { setSessionCookie } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { UserSchema } from '../schemas';
import type { App } from '../types';

const route = defineRoute('anyone', {
  operationId: 'signInWithSlackCode',
  method: 'post',
  path: '/auth/slack-link',
  tags: ['auth'],
  summary: "Sign in with the one-time code from the Slack bot's login DM",
  request: jsonBody(z.object({ code: z.string().min(1).max(200) })),
  responses: { 200: json(z.object({ user: UserSchema }), 'Signed in'), ...pick(400, 401) },
});

export function registerSlackLink(app: App) {
  app.openapi(route, async (c) => {
    const { code } = c.req.valid('json');
    const signedIn = await redeemSignInCode(c.get('ctx'), { code, ip: c.get('ip') });
    setSessionCookie(c, signedIn.sessionSecret, signedIn.expiresAt);
    return c.json({ user: presentUser(signedIn.user) }, 200);
  });
}
