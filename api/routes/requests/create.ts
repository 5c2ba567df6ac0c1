import { z } from '@hono/zod-openapi';
import { createRequest } from '../../domain/requests';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { RequestSchema } from '../schemas';
import { NewRequestInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'createTokenRequest',
  method: 'post',
  path: '/token-requests',
  tags: ['requests'],
  summary: 'Ask for more tokens',
  // The upper bound is MAX_REQUEST_QUANTITY, checked by the domain against the configuration.
  request: jsonBody(NewRequestInput),
  responses: { 201: json(z.object({ request: RequestSchema }), 'Created'), ...pick(400, 401) },
});

export function registerCreateRequest(app: App) {
  app.openapi(route, async (c) => c.json({ request: await createRequest(c.get('ctx'), actorOf(c), c.req.valid('json')) }, 201));
}
