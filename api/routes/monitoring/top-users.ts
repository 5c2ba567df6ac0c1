import { z } from '@hono/zod-openapi';
import { topUsers } from '../../domain/series';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import type { App } from '../types';

export const TopUsersSchema = z
  .object({
    days: z.number().int(),
    items: z.array(z.object({ userId: z.string(), name: z.string(), username: z.string(), validated: z.number().int(), failed: z.number().int() })),
  })
  .openapi('TopUsers');

const route = defineRoute('admin', {
  operationId: 'getTopUsers',
  method: 'get',
  path: '/monitoring/top-users',
  tags: ['monitoring'],
  summary: 'Who used most tokens in the last days: successful validations, then failed ones (admin)',
  request: {
    query: z.object({
      days: z.coerce.number().int().min(1).max(90).default(30),
      limit: z.coerce.number().int().min(1).max(50).default(10),
    }),
  },
  responses: { 200: json(TopUsersSchema, 'Top users, most validations first'), ...pick(400, 401, 403) },
});

export function registerTopUsers(app: App) {
  app.openapi(route, async (c) => c.json(await topUsers(c.get('ctx'), actorOf(c), c.req.valid('query')), 200));
}
