import { z } from '@hono/zod-openapi';
import { listDeadLetters } from '../../domain/outbox';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { DeadLetterSchema, DeliveryStatusSchema, PageQuery, type DeliveryStatus } from '../schemas';
import type { App } from '../types';

const ListDeadLettersSchema = z.object({ items: z.array(DeadLetterSchema), nextCursor: z.string().nullable(), delivery: DeliveryStatusSchema });
export type ListDeadLettersResponse = z.infer<typeof ListDeadLettersSchema>;

const route = defineRoute('admin', {
  operationId: 'listDeadLetters',
  method: 'get',
  path: '/dead-letters',
  tags: ['delivery'],
  summary: 'Messages that could not be delivered (e.g. Slack said not_in_channel), newest first, with how delivery stands (admin)',
  request: { query: z.object(PageQuery) },
  responses: {
    200: json(ListDeadLettersSchema, 'Dead letters and delivery status'),
    ...pick(400, 401, 403),
  },
});

export function registerListDeadLetters(app: App, delivery: () => Promise<DeliveryStatus>) {
  app.openapi(route, async (c) => {
    const page = await listDeadLetters(c.get('ctx'), actorOf(c), c.req.valid('query'));
    return c.json({ ...page, delivery: await delivery() }, 200);
  });
}
