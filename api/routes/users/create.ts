import { z } from '@hono/zod-openapi';
import { createUser, presentUser } from '../../domain/users';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { UserSchema, roles } from '../schemas';
import type { App } from '../types';

export const Username = z.string().trim().min(2).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');
export const SlackUserId = z.string().trim().regex(/^[UW][A-Z0-9]{2,30}$/, 'a Slack user id such as U012ABCDEF');
export const Password = z.string().min(10, 'at least 10 characters').max(200);

const route = defineRoute('admin', {
  operationId: 'createUser',
  method: 'post',
  path: '/users',
  tags: ['users'],
  summary: 'Create a user (admin; only a super_admin creates admins)',
  request: jsonBody(
    z.object({
      username: Username,
      name: z.string().trim().min(1).max(100),
      role: z.enum(roles).default('staff'),
      password: Password.optional(),
      slackUserId: SlackUserId.nullish(),
    }),
  ),
  responses: { 201: json(z.object({ user: UserSchema }), 'Created'), ...pick(400, 401, 403, 409) },
});

export function registerCreateUser(app: App) {
  app.openapi(route, async (c) => {
    const user = await createUser(c.get('ctx'), actorOf(c), c.req.valid('json'));
    return c.json({ user: presentUser(user) }, 201);
  });
}
