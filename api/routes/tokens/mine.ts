import { z } from '@hono/zod-openapi';
import { myTokens } from '../../domain/tokens';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import { TokenSchema } from '../schemas';
import type { App } from '../types';

/** The answer of GET /tokens/mine; the PWA derives its type from this (import type), not a copy. */
export const MyTokensSchema = z.object({ available: z.number().int(), pendingReveal: z.number().int(), items: z.array(TokenSchema) });

const route = defineRoute('signed-in', {
  operationId: 'listMyTokens',
  method: 'get',
  path: '/tokens/mine',
  tags: ['tokens'],
  summary: 'My tokens (never plaintext), my available count, and how many wait for a one-time reveal',
  responses: { 200: json(MyTokensSchema, 'My tokens'), ...pick(401) },
});

export function registerMyTokens(app: App) {
  app.openapi(route, async (c) => c.json(await myTokens(c.get('ctx'), actorOf(c)), 200));
}
