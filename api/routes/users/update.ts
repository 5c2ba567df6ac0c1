import { z } from '@hono/zod-openapi';
import { presentUser, updateUser } from '../../domain/users';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { Id, UserSchema } from '../schemas';
import { UserChangesInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'updateUser',
  method: 'patch',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'Change a user (admin; role changes: super_admin)',
  request: {
    params: z.object({ id: Id }),
    ...jsonBody(UserChangesInput),
  },
  responses: { 200: json(z.object({ user: UserSchema }), 'Updated'), ...pick(400, 401, 403, 404, 409) },
});

export function registerUpdateUser(app: App) {
  app.openapi(route, async (c) => {
    const user = await updateUser(c.get('ctx'), actorOf(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ user: presentUser(user) }, 200);
  });
}
