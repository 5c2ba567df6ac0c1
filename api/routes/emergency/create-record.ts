import { z } from '@hono/zod-openapi';
import { createRecord } from '../../domain/records';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { RecordSchema } from '../schemas';
import { NewRecordInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'createEmergencyRecord',
  method: 'post',
  path: '/emergency-records',
  tags: ['emergency'],
  summary: 'Write an emergency record (needs an active grant)',
  request: jsonBody(NewRecordInput),
  responses: { 201: json(z.object({ record: RecordSchema }), 'Written'), ...pick(400, 401, 403) },
});

export function registerCreateRecord(app: App) {
  app.openapi(route, async (c) => c.json({ record: await createRecord(c.get('ctx'), actorOf(c), c.req.valid('json')) }, 201));
}
