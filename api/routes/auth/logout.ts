import { logout } from '../../domain/auth';
import { actorOf, clearSessionCookie } from '../../http/session';
import { defineRoute, pick } from '../helpers';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'logout',
  method: 'post',
  path: '/auth/logout',
  tags: ['auth'],
  summary: 'End this session',
  responses: { 204: { description: 'Signed out' }, ...pick(401) },
});

export function registerLogout(app: App) {
  app.openapi(route, async (c) => {
    actorOf(c);
    await logout(c.get('ctx'), c.get('sessionSecret')!, c.get('ip'));
    clearSessionCookie(c);
    return c.body(null, 204);
  });
}
