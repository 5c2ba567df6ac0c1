import { z } from '@hono/zod-openapi';
import { activitySeries } from '../../domain/series';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import type { App } from '../types';
import { TimeZoneQuery } from './series-query';

export const ActivitySeriesSchema = z
  .object({
    bucket: z.enum(['day', 'hour']),
    tz: z.string(),
    points: z.array(
      z.object({
        start: z.string().openapi({ format: 'date-time', description: 'start of the bucket' }),
        validated: z.number().int().openapi({ description: 'successful validations (emergency accesses opened)' }),
        failed: z.number().int().openapi({ description: 'refused validations (invalid, used, expired, locked out)' }),
        requested: z.number().int().openapi({ description: 'token requests made' }),
      }),
    ),
  })
  .openapi('ActivitySeries');

const route = defineRoute('admin', {
  operationId: 'getActivitySeries',
  method: 'get',
  path: '/monitoring/activity',
  tags: ['monitoring'],
  summary: 'Validations and token requests per day (last 30 days) or per hour (last 24 hours), oldest first (admin)',
  request: { query: z.object({ bucket: z.enum(['day', 'hour']).default('day'), ...TimeZoneQuery }) },
  responses: { 200: json(ActivitySeriesSchema, 'One point per bucket, empty buckets included'), ...pick(400, 401, 403) },
});

export function registerActivitySeries(app: App) {
  app.openapi(route, async (c) => c.json(await activitySeries(c.get('ctx'), actorOf(c), c.req.valid('query')), 200));
}
