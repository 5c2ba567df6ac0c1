import { z } from '@hono/zod-openapi';
import { listRecords } from '../../domain/records';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { PageQuery, RecordSchema, pageOf } from '../schemas';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'listEmergencyRecords',
  method: 'get',
  path: '/emergency-records',
  tags: ['emergency'],
  summary: 'Emergency records, newest first (admin: all; staff: own). Every page served is audited',
  request: { query: z.object(PageQuery) },
  responses: { 200: json(pageOf(RecordSchema), 'Records'), ...pick(400, 401) },
});

export function registerListRecords(app: App) {
  app.openapi(route, async (c) => c.json(await listRecords(c.get('ctx'), actorOf(c), c.req.valid('query')), 200));
}
