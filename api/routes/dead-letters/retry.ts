import { z } from '@hono/zod-openapi';
import { retryDeadLetter } from '../../domain/outbox';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { DeadLetterSchema } from '../schemas';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'retryDeadLetter',
  method: 'post',
  path: '/dead-letters/{id}/retry',
  tags: ['delivery'],
  summary: 'Put an undelivered message back in line, after fixing its cause (admin; audited as outbox.retried)',
  request: { params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }) },
  responses: { 200: json(z.object({ deadLetter: DeadLetterSchema }), 'Queued again'), ...pick(400, 401, 403, 404, 409) },
});

export function registerRetryDeadLetter(app: App) {
  app.openapi(route, async (c) => c.json({ deadLetter: await retryDeadLetter(c.get('ctx'), actorOf(c), c.req.valid('param').id) }, 200));
}
