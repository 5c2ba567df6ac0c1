import { z } from '@hono/zod-openapi';
import { listGrants } from '../../domain/grants';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { GrantSchema, Id, PageQuery, pageOf, queryBool, queryDate } from '../schemas';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'listGrants',
  method: 'get',
  path: '/grants',
  tags: ['grants'],
  summary: 'Emergency accesses with their review (admin: all; staff: own)',
  request: { query: z.object({ reviewed: queryBool.optional(), userId: Id.optional(), from: queryDate.optional(), to: queryDate.optional(), ...PageQuery }) },
  responses: { 200: json(pageOf(GrantSchema), 'Grants'), ...pick(400, 401) },
});

export function registerListGrants(app: App) {
  app.openapi(route, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    return c.json(await listGrants(c.get('ctx'), actorOf(c), filter, { limit, cursor }), 200);
  });
}
