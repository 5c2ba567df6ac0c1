import { z } from '@hono/zod-openapi';
import { listAudit } from '../../domain/audit';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { AuditEventSchema, PageQuery, pageOf } from '../schemas';
import type { App } from '../types';
import { AuditFilterQuery } from './filters';

const route = defineRoute('admin', {
  operationId: 'listAuditEvents',
  method: 'get',
  path: '/audit',
  tags: ['audit'],
  summary: 'The audit trail, newest first, filtered (admin)',
  request: { query: z.object({ ...AuditFilterQuery, ...PageQuery }) },
  responses: { 200: json(pageOf(AuditEventSchema), 'Events'), ...pick(400, 401, 403) },
});

export function registerListAudit(app: App) {
  app.openapi(route, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    return c.json(await listAudit(c.get('ctx'), actorOf(c), filter, { limit, cursor }), 200);
  });
}
