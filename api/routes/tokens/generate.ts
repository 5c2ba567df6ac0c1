import { z } from '@hono/zod-openapi';
import { generateTokens } from '../../domain/tokens';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import { TokenSchema } from '../schemas';
import { GenerateInput } from '../../domain/input';
import type { App } from '../types';

const route = defineRoute('admin', {
  operationId: 'generateTokens',
  method: 'post',
  path: '/tokens/generate',
  tags: ['tokens'],
  summary: 'Generate tokens (admin). The only response that carries plaintext; six digits is the advised length.',
  // The upper bound of count is MAX_GENERATE_COUNT, checked by the domain against the configuration.
  request: jsonBody(GenerateInput),
  responses: { 201: json(z.object({ tokens: z.array(TokenSchema.extend({ token: z.string() })) }), 'Generated'), ...pick(400, 401, 403, 404, 409) },
});

export function registerGenerateTokens(app: App) {
  app.openapi(route, async (c) => c.json({ tokens: await generateTokens(c.get('ctx'), actorOf(c), c.req.valid('json')) }, 201));
}
