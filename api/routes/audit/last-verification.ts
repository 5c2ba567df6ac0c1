import { z } from '@hono/zod-openapi';
import { lastVerification } from '../../domain/audit-verify';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { AuditCheckpointSchema, AuditEventSchema } from '../schemas';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'getLastAuditVerification',
  method: 'get',
  path: '/audit/verification',
  tags: ['audit'],
  summary: 'The last recorded verification of the audit trail and the last signed checkpoint (admin)',
  responses: {
    200: json(
      z.object({
        verification: AuditEventSchema.nullable().openapi({ description: 'the last audit.verified event (its details hold the result); null: never verified' }),
        checkpoint: AuditCheckpointSchema.nullable(),
      }),
      'The last verification and checkpoint',
    ),
    ...pick(401, 403),
  },
});

export function registerLastAuditVerification(app: App) {
  app.openapi(route, async (c) => c.json(await lastVerification(c.get('ctx'), actorOf(c)), 200));
}
