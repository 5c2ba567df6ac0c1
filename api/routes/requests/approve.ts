import { z } from '@hono/zod-openapi';
import { approveRequest } from '../../domain/requests';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { Id, RequestSchema } from '../schemas';
import { ApproveInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'approveTokenRequest',
  method: 'post',
  path: '/token-requests/{id}/approve',
  tags: ['requests'],
  summary: "Approve: issues the tokens to the requester in the same transaction (admin, not one's own)",
  request: { params: z.object({ id: Id }), body: { content: { 'application/json': { schema: ApproveInput } }, required: false } },
  responses: { 200: json(z.object({ request: RequestSchema, issued: z.number().int() }), 'Approved'), ...pick(400, 401, 403, 404, 409) },
});

export function registerApproveRequest(app: App) {
  app.openapi(route, async (c) => c.json(await approveRequest(c.get('ctx'), actorOf(c), c.req.valid('param').id, c.req.valid('json') ?? {}), 200));
}
