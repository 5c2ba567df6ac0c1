import { createRoute, z } from '@hono/zod-openapi';
import { clearGrant, myActiveGrant } from '../../domain/grants';
import { actorOf } from '../../http/session';
import { json, pick } from '../helpers';
import { GrantSchema } from '../schemas';
import type { App } from '../types';

const get = createRoute({
  method: 'get',
  path: '/emergency-session',
  tags: ['emergency'],
  summary: 'My active emergency access session, if any',
  responses: { 200: json(z.object({ grant: GrantSchema.nullable() }), 'Active grant or null'), ...pick(401) },
});

const clear = createRoute({
  method: 'post',
  path: '/emergency-session/clear',
  tags: ['emergency'],
  summary: 'End my emergency access session now',
  responses: { 204: { description: 'Ended (or there was none)' }, ...pick(401) },
});

export function registerEmergencySession(app: App) {
  app.openapi(get, async (c) => c.json({ grant: await myActiveGrant(c.get('ctx'), actorOf(c)) }, 200));
  app.openapi(clear, async (c) => {
    await clearGrant(c.get('ctx'), actorOf(c));
    return c.body(null, 204);
  });
}
