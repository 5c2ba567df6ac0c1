// GET /readyz: whether this instance should get traffic, and how each of its parts stands. Served at the
// root (load balancers and the container's HEALTHCHECK probe it there, without the API's middleware) and
// documented with the API, with a server of its own.
import { z } from '@hono/zod-openapi';
import { defineRoute, json } from './helpers';
import { DeliveryStatusSchema } from './schemas';
import type { App } from './types';

const PartState = z.enum(['up', 'down', 'off']);

export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'unavailable']).openapi({ description: 'ready while every critical part (the database) is up' }),
    database: z.enum(['postgres', 'pglite']),
    parts: z.record(z.string(), PartState).openapi({
      description:
        "database (critical), events (the LISTEN connection behind the event stream), outbox (this instance's delivery worker: down while it is stopped, its steps fail, it did nothing for 60 s, or a message has been due and unclaimed for 300 s; off without Slack), slack (the bot's connection)",
      example: { database: 'up', events: 'up', outbox: 'up', slack: 'up' },
    }),
    slack: DeliveryStatusSchema.shape.slack.optional().openapi({ description: 'with Slack on: its state, why, since when' }),
    outbox: DeliveryStatusSchema.omit({ slack: true })
      .optional()
      .openapi({ description: 'with Slack on: what waits, the dead letters, and the worker (never decides readiness)' }),
  })
  .openapi('Readiness');
export type Readiness = z.infer<typeof ReadinessSchema>;

const route = defineRoute('anyone', {
  operationId: 'getReadiness',
  method: 'get',
  path: '/readyz',
  servers: [{ url: '/', description: 'served at the root, beside /healthz, not under /api/v1' }],
  tags: ['health'],
  summary: 'Readiness: 200 while the database is up, else 503 with Retry-After; each part and, with Slack on, how delivery stands',
  responses: {
    200: json(ReadinessSchema, 'Ready (a part other than the database may be down: see parts)'),
    503: json(ReadinessSchema, 'Unavailable: a critical part is down (Retry-After)'),
  },
});

/** The document only: the handler lives on the root app (app.ts), outside /api/v1. */
export function registerReadinessDoc(app: App) {
  app.openAPIRegistry.registerPath(route);
}
