import { createRoute, z } from '@hono/zod-openapi';
import { createRecord, listRecords } from '../../domain/records';
import { actorOf } from '../../http/session';
import { json, jsonBody, pick } from '../helpers';
import { PageQuery, RecordSchema, optionalText, pageOf } from '../schemas';
import type { App } from '../types';

const create = createRoute({
  method: 'post',
  path: '/emergency-records',
  tags: ['emergency'],
  summary: 'Write an emergency record (needs an active grant)',
  request: jsonBody(
    z.object({
      patientName: optionalText(200),
      patientRef: optionalText(100),
      complaint: z.string().trim().min(3).max(500),
      triageLevel: z.number().int().min(1).max(5),
      notes: optionalText(5000),
    }),
  ),
  responses: { 201: json(z.object({ record: RecordSchema }), 'Written'), ...pick(400, 401, 403) },
});

const list = createRoute({
  method: 'get',
  path: '/emergency-records',
  tags: ['emergency'],
  summary: 'Emergency records, newest first (admin: all; staff: own)',
  request: { query: z.object(PageQuery) },
  responses: { 200: json(pageOf(RecordSchema), 'Records'), ...pick(400, 401) },
});

export function registerEmergencyRecords(app: App) {
  app.openapi(create, async (c) => c.json({ record: await createRecord(c.get('ctx'), actorOf(c), c.req.valid('json')) }, 201));
  app.openapi(list, async (c) => c.json(await listRecords(c.get('ctx'), actorOf(c), c.req.valid('query')), 200));
}
