import { z } from '@hono/zod-openapi';
import { myActiveGrant } from '../../domain/grants';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { GrantSchema } from '../schemas';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'getEmergencySession',
  method: 'get',
  path: '/emergency-session',
  tags: ['emergency'],
  summary: 'My active emergency access session, if any',
  responses: { 200: json(z.object({ grant: GrantSchema.nullable() }), 'Active grant or null'), ...pick(401) },
});

export function registerGetEmergencySession(app: App) {
  app.openapi(route, async (c) => c.json({ grant: await myActiveGrant(c.get('ctx'), actorOf(c)) }, 200));
}
