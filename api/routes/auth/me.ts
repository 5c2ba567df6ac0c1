import { z } from '@hono/zod-openapi';
import { me } from '../../domain/profile';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { GrantSchema, UserSchema } from '../schemas';
import type { App } from '../types';

export const MeSchema = z.object({
  user: UserSchema.pick({ id: true, username: true, name: true, role: true, slackUserId: true, locale: true }),
  tokens: z.object({ available: z.number().int() }),
  grant: GrantSchema.nullable(),
  lowTokenThreshold: z.number().int(),
  validationLock: z
    .object({ lockedUntil: z.string().openapi({ format: 'date-time' }), retryAfterSeconds: z.number().int() })
    .nullable()
    .openapi({ description: 'set while too many failed validations lock the caller out (the 429 of POST /tokens/validate)' }),
  ward: z.object({
    escalationText: z.string().nullable().openapi({ description: 'what to do meanwhile when locked out (admin setting)' }),
    idleLockMinutes: z.number().int().openapi({ description: 'the app locks after this many idle minutes (admin setting)' }),
  }),
});

const route = defineRoute('signed-in', {
  operationId: 'getMe',
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'Who I am, my stock, my active emergency session, my validation lockout, and the ward settings the app needs',
  responses: { 200: json(MeSchema, 'Me'), ...pick(401) },
});

export function registerMe(app: App) {
  app.openapi(route, async (c) => {
    actorOf(c);
    return c.json(await me(c.get('ctx'), c.get('user')!), 200);
  });
}
