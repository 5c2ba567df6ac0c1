import { z } from '@hono/zod-openapi';
import { listTokens } from '../../domain/tokens';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { Id, PageQuery, TokenSchema, pageOf, tokenStatuses } from '../schemas';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'listTokens',
  method: 'get',
  path: '/tokens',
  tags: ['tokens'],
  summary: 'List tokens, newest first (admin)',
  request: { query: z.object({ status: z.enum(tokenStatuses).optional(), userId: Id.optional(), ...PageQuery }) },
  responses: { 200: json(pageOf(TokenSchema), 'Tokens'), ...pick(400, 401, 403) },
});

export function registerListTokens(app: App) {
  app.openapi(route, async (c) => {
    const { status, userId, limit, cursor } = c.req.valid('query');
    return c.json(await listTokens(c.get('ctx'), actorOf(c), { status, userId }, { limit, cursor }), 200);
  });
}
