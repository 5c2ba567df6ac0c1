import { clearGrant } from '../../domain/grants';
import { actorOf } from '../../http/session';
import { defineRoute, pick } from '../helpers';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'clearEmergencySession',
  method: 'post',
  path: '/emergency-session/clear',
  tags: ['emergency'],
  summary: 'End my emergency access session now',
  responses: { 204: { description: 'Ended (or there was none)' }, ...pick(401) },
});

export function registerClearEmergencySession(app: App) {
  app.openapi(route, async (c) => {
    await clearGrant(c.get('ctx'), actorOf(c));
    return c.body(null, 204);
  });
}
