import { z } from '@hono/zod-openapi';
import { reviewGrant } from '../../domain/grants';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { GrantSchema, Id } from '../schemas';
import { ReviewInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'reviewGrant',
  method: 'post',
  path: '/grants/{id}/review',
  tags: ['grants'],
  summary: "Review an emergency access after the fact (admin, not the grant's holder)",
  request: { params: z.object({ id: Id }), ...jsonBody(ReviewInput) },
  responses: { 200: json(z.object({ grant: GrantSchema }), 'Reviewed'), ...pick(400, 401, 403, 404, 409) },
});

export function registerReviewGrant(app: App) {
  app.openapi(route, async (c) => c.json({ grant: await reviewGrant(c.get('ctx'), actorOf(c), c.req.valid('param').id, c.req.valid('json')) }, 200));
}
