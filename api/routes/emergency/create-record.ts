import { z } from '@hono/zod-openapi';
import { createRecord } from '../../domain/records';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { RecordSchema, optionalText } from '../schemas';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'createEmergencyRecord',
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

export function registerCreateRecord(app: App) {
  app.openapi(route, async (c) => c.json({ record: await createRecord(c.get('ctx'), actorOf(c), c.req.valid('json')) }, 201));
}
