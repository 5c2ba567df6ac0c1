import { signOutEverywhere } from '../../domain/sessions';
import { actorOf, clearSessionCookie } from '../../http/session';
import { defineRoute, pick } from '../helpers';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'logoutEverywhere',
  method: 'post',
  path: '/auth/logout-everywhere',
  tags: ['auth'],
  summary: "End every session of the caller's account (this one too) and unused sign-in links; audited as auth.logout",
  responses: { 204: { description: 'Signed out on every device' }, ...pick(401) },
});

export function registerLogoutEverywhere(app: App) {
  app.openapi(route, async (c) => {
    await signOutEverywhere(c.get('ctx'), actorOf(c));
    clearSessionCookie(c);
    return c.body(null, 204);
  });
}
