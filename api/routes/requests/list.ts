import { z } from '@hono/zod-openapi';
import { listRequests } from '../../domain/requests';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { Id, PageQuery, RequestSchema, pageOf, requestStatuses } from '../schemas';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'listTokenRequests',
  method: 'get',
  path: '/token-requests',
  tags: ['requests'],
  summary: 'Token requests, newest first (admin: all; staff: own)',
  request: { query: z.object({ status: z.enum(requestStatuses).optional(), userId: Id.optional(), ...PageQuery }) },
  responses: { 200: json(pageOf(RequestSchema), 'Requests'), ...pick(400, 401) },
});

export function registerListRequests(app: App) {
  app.openapi(route, async (c) => {
    const { status, userId, limit, cursor } = c.req.valid('query');
    return c.json(await listRequests(c.get('ctx'), actorOf(c), { status, userId }, { limit, cursor }), 200);
  });
}
