import { z } from '@hono/zod-openapi';
import { rejectRequest } from '../../domain/requests';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { Id, RequestSchema } from '../schemas';
import { RejectInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'rejectTokenRequest',
  method: 'post',
  path: '/token-requests/{id}/reject',
  tags: ['requests'],
  summary: "Reject with a reason (admin, not one's own)",
  request: { params: z.object({ id: Id }), ...jsonBody(RejectInput) },
  responses: { 200: json(z.object({ request: RequestSchema }), 'Rejected'), ...pick(400, 401, 403, 404, 409) },
});

export function registerRejectRequest(app: App) {
  app.openapi(route, async (c) => c.json(await rejectRequest(c.get('ctx'), actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200));
}
