import { z } from '@hono/zod-openapi';
import { validateToken } from '../../domain/tokens';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { GrantSchema } from '../schemas';
import { ValidateInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'validateToken',
  method: 'post',
  path: '/tokens/validate',
  tags: ['tokens'],
  summary: 'Use a token: opens an emergency access session (grant) for the caller',
  request: jsonBody(ValidateInput),
  responses: {
    200: json(
      z.object({
        grant: GrantSchema,
        alreadyUsed: z
          .literal(true)
          .optional()
          .openapi({ description: 'a double tap: the caller used this token seconds ago and this is the session it opened (not a failure)' }),
      }),
      'Grant opened (or, with alreadyUsed, the session this token opened seconds ago)',
    ),
    ...pick(400, 401, 422, 429),
  },
});

export function registerValidateToken(app: App) {
  app.openapi(route, async (c) => c.json(await validateToken(c.get('ctx'), actorOf(c), c.req.valid('json')), 200));
}
