import { z } from '@hono/zod-openapi';
import { locales } from '../../../db/schema';
import { presentUser, setMyLocale } from '../../domain/users';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { UserSchema } from '../schemas';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'updateMe',
  method: 'patch',
  path: '/me',
  tags: ['auth'],
  summary: 'Set my language for the app and the Slack bot (en, id; null: the browser’s / Slack’s)',
  request: jsonBody(z.object({ locale: z.enum(locales).nullable() }).strict()),
  responses: { 200: json(z.object({ user: UserSchema }), 'Updated'), ...pick(400, 401) },
});

export function registerUpdateMe(app: App) {
  app.openapi(route, async (c) => {
    const user = await setMyLocale(c.get('ctx'), actorOf(c), c.req.valid('json').locale);
    return c.json({ user: presentUser(user) }, 200);
  });
}
