import { z } from '@hono/zod-openapi';
import { stockHistory } from '../../domain/series';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import type { App } from '../types';
import { TimeZoneQuery } from './series-query';

export const StockHistorySchema = z
  .object({
    tz: z.string(),
    points: z.array(
      z.object({
        at: z.string().openapi({ format: 'date-time' }),
        available: z.number().int().openapi({ description: 'usable tokens (available, unexpired) at that moment' }),
      }),
    ),
  })
  .openapi('StockHistory');

const route = defineRoute('admin', {
  operationId: 'getStockHistory',
  method: 'get',
  path: '/monitoring/stock-history',
  tags: ['monitoring'],
  summary: "The ward's usable token stock at the end of each of the last 30 days, the last point being now (admin)",
  request: { query: z.object(TimeZoneQuery) },
  responses: { 200: json(StockHistorySchema, 'One point per day, oldest first'), ...pick(400, 401, 403) },
});

export function registerStockHistory(app: App) {
  app.openapi(route, async (c) => c.json(await stockHistory(c.get('ctx'), actorOf(c), c.req.valid('query')), 200));
}
