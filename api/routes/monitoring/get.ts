import { z } from '@hono/zod-openapi';
import { monitoringSummary } from '../../domain/monitoring';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { AuditEventSchema } from '../schemas';
import type { App } from '../types';

export const MonitoringSchema = z.object({
  threshold: z.number().int(),
  tokens: z.object({ available: z.number().int(), used: z.number().int(), expired: z.number().int(), revoked: z.number().int(), total: z.number().int() }),
  usedLast24h: z.number().int(),
  pendingRequests: z.number().int(),
  unreviewedGrants: z.number().int(),
  lowStockUsers: z.array(
    z.object({ userId: z.string(), name: z.string(), username: z.string(), slackUserId: z.string().nullable(), available: z.number().int() }),
  ),
  recentActivity: z.array(AuditEventSchema),
});

const route = defineRoute('admin', {
  operationId: 'getMonitoring',
  method: 'get',
  path: '/monitoring',
  tags: ['monitoring'],
  summary: 'Stock, pending work and low-stock users (admin)',
  request: { query: z.object({ threshold: z.coerce.number().int().min(0).max(1000).optional() }) },
  responses: { 200: json(MonitoringSchema, 'Summary'), ...pick(400, 401, 403) },
});

export function registerMonitoringSummary(app: App) {
  app.openapi(route, async (c) => c.json(await monitoringSummary(c.get('ctx'), actorOf(c), { threshold: c.req.valid('query').threshold }), 200));
}
