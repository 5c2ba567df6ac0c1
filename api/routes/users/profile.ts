import { z } from '@hono/zod-openapi';
import { userProfile } from '../../domain/profile';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { AuditEventSchema, Id, RequestSchema, UserSchema } from '../schemas';
import type { App } from '../types';

export const ProfileSchema = z.object({
  user: UserSchema,
  tokens: z.object({ available: z.number().int(), used: z.number().int(), expired: z.number().int(), revoked: z.number().int() }),
  requests: z.array(RequestSchema),
  recentActivity: z.array(AuditEventSchema),
});

const route = defineRoute('signed-in', {
  operationId: 'getUserProfile',
  method: 'get',
  path: '/users/{id}/profile',
  tags: ['users'],
  summary: "A user's stock, requests and recent activity (admin, or the user themself)",
  request: { params: z.object({ id: Id }) },
  responses: { 200: json(ProfileSchema, 'Profile'), ...pick(400, 401, 403, 404) },
});

export function registerUserProfile(app: App) {
  app.openapi(route, async (c) => c.json(await userProfile(c.get('ctx'), actorOf(c), c.req.valid('param').id), 200));
}
