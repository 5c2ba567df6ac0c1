import { z } from '@hono/zod-openapi';
import { verifyAudit } from '../../domain/audit-verify';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { AuditVerificationSchema, queryDate } from '../schemas';
import type { App } from '../types';

const route = defineRoute('super_admin', {
  operationId: 'verifyAudit',
  method: 'get',
  path: '/audit/verify',
  tags: ['audit'],
  summary: 'Walk the audit hash chains and the signed checkpoints; the run is recorded (super_admin)',
  description:
    'Recomputes every event hash and link (or those of the chain segments whose events fall in from..to), checks each chain head, ' +
    'finds events on no chain, and checks every checkpoint signature, link and recorded head. `ok` is false when anything is broken; ' +
    '`firstBreak` names the first broken event. Recorded as an `audit.verified` event either way.',
  request: { query: z.object({ from: queryDate.optional(), to: queryDate.optional() }) },
  responses: { 200: json(AuditVerificationSchema, 'The verification'), ...pick(400, 401, 403) },
});

export function registerVerifyAudit(app: App) {
  app.openapi(route, async (c) => {
    const { from, to } = c.req.valid('query');
    return c.json(await verifyAudit(c.get('ctx'), actorOf(c), { from, to }), 200);
  });
}
