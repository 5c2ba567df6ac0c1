import { z } from '@hono/zod-openapi';
import { listUsers } from '../../domain/users';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { PageQuery, UserSchema, pageOf, roles } from '../schemas';
import { text } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'listUsers',
  method: 'get',
  path: '/users',
  tags: ['users'],
  summary: 'List users with their available stock (admin)',
  request: { query: z.object({ q: text().max(100).optional(), role: z.enum(roles).optional(), ...PageQuery }) },
  responses: { 200: json(pageOf(UserSchema.extend({ availableTokens: z.number().int() })), 'Users'), ...pick(400, 401, 403) },
});

export function registerListUsers(app: App) {
  app.openapi(route, async (c) => {
    const { q, role, limit, cursor } = c.req.valid('query');
    return c.json(await listUsers(c.get('ctx'), actorOf(c), { q, role }, { limit, cursor }), 200);
  });
}
