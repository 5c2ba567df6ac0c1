import { z } from '@hono/zod-openapi';
import { revokeToken } from '../../domain/tokens';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { Id, TokenSchema } from '../schemas';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'revokeToken',
  method: 'delete',
  path: '/tokens/{id}',
  tags: ['tokens'],
  summary: 'Revoke an available token (admin)',
  request: { params: z.object({ id: Id }) },
  responses: { 200: json(z.object({ token: TokenSchema }), 'Revoked'), ...pick(400, 401, 403, 404, 409) },
});

export function registerRevokeToken(app: App) {
  app.openapi(route, async (c) => c.json({ token: await revokeToken(c.get('ctx'), actorOf(c), c.req.valid('param').id) }, 200));
}
