import { createRoute, z } from '@hono/zod-openapi';
import { approveRequest, rejectRequest } from '../../domain/requests';
import { actorOf } from '../../http/session';
import { json, jsonBody, pick } from '../helpers';
import { Id, RequestSchema, optionalText } from '../schemas';
import type { App } from '../types';

const approve = createRoute({
  method: 'post',
  path: '/token-requests/{id}/approve',
  tags: ['requests'],
  summary: "Approve: issues the tokens to the requester in the same transaction (admin, not one's own)",
  request: { params: z.object({ id: Id }), body: { content: { 'application/json': { schema: z.object({ note: optionalText(500) }) } }, required: false } },
  responses: { 200: json(z.object({ request: RequestSchema, issued: z.number().int() }), 'Approved'), ...pick(400, 401, 403, 404, 409) },
});

const reject = createRoute({
  method: 'post',
  path: '/token-requests/{id}/reject',
  tags: ['requests'],
  summary: "Reject with a reason (admin, not one's own)",
  request: { params: z.object({ id: Id }), ...jsonBody(z.object({ reason: z.string().trim().min(3).max(500) })) },
  responses: { 200: json(z.object({ request: RequestSchema }), 'Rejected'), ...pick(400, 401, 403, 404, 409) },
});

export function registerDecideRequest(app: App) {
  app.openapi(approve, async (c) => c.json(await approveRequest(c.get('ctx'), actorOf(c), c.req.valid('param').id, c.req.valid('json') ?? {}), 200));
  app.openapi(reject, async (c) => c.json(await rejectRequest(c.get('ctx'), actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200));
}
