import { z } from '@hono/zod-openapi';
import { getRecord } from '../../domain/records';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { Id, RecordSchema } from '../schemas';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'getEmergencyRecord',
  method: 'get',
  path: '/emergency-records/{id}',
  tags: ['emergency'],
  summary: 'One emergency record (admin: any; staff: own). Every opening, and every refused one, is audited',
  request: { params: z.object({ id: Id }) },
  responses: { 200: json(z.object({ record: RecordSchema }), 'The record'), ...pick(400, 401, 403, 404) },
});

export function registerGetRecord(app: App) {
  app.openapi(route, async (c) => c.json({ record: await getRecord(c.get('ctx'), actorOf(c), c.req.valid('param').id) }, 200));
}
