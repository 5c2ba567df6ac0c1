import { z } from '@hono/zod-openapi';
import { revealMyTokens } from '../../domain/tokens';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import type { App } from '../types';

const route = defineRoute('signed-in', {
  operationId: 'revealMyTokens',
  method: 'post',
  path: '/tokens/reveal',
  tags: ['tokens'],
  summary: 'Show, once, the plaintext of tokens newly assigned to me that have not reached me by Slack',
  responses: {
    200: json(z.object({ tokens: z.array(z.object({ id: z.string(), token: z.string(), expiresAt: z.string() })) }), 'Revealed (empty when nothing waits)'),
    ...pick(401),
  },
});

export function registerRevealTokens(app: App) {
  app.openapi(route, async (c) => c.json({ tokens: await revealMyTokens(c.get('ctx'), actorOf(c)) }, 200));
}
