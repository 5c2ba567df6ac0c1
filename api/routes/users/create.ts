import { z } from '@hono/zod-openapi';
import { createUser, presentUser } from '../../domain/users';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { UserSchema } from '../schemas';
import { NewUserInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'createUser',
  method: 'post',
  path: '/users',
  tags: ['users'],
  summary: 'Create a user (admin; only a super_admin creates admins)',
  request: jsonBody(NewUserInput),
  responses: { 201: json(z.object({ user: UserSchema }), 'Created'), ...pick(400, 401, 403, 409) },
});

export function registerCreateUser(app: App) {
  app.openapi(route, async (c) => {
    const user = await createUser(c.get('ctx'), actorOf(c), c.req.valid('json'));
    return c.json({ user: presentUser(user) }, 201);
  });
}
