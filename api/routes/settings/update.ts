import { z } from '@hono/zod-openapi';
import { settingsShape, updateSettings } from '../../domain/settings';
import { actorOf } from '../../http/session';
import { defineRoute, json, jsonBody, pick } from '../helpers';
import type { App } from '../types';
import { SettingsSchema } from './get';

const route = defineRoute('admin', {
  operationId: 'updateSettings',
  method: 'patch',
  path: '/settings',
  tags: ['settings'],
  summary: "Change the ward's settings (admin); audited as settings.updated",
  request: jsonBody(
    z
      .object({
        escalationText: settingsShape.escalationText.optional().openapi({ description: 'at most 300 characters; empty or null removes it' }),
        idleLockMinutes: settingsShape.idleLockMinutes.optional().openapi({ description: '1..60' }),
      })
      .strict(),
  ),
  responses: { 200: json(z.object({ settings: SettingsSchema }), 'Updated settings'), ...pick(400, 401, 403) },
});

export function registerUpdateSettings(app: App) {
  app.openapi(route, async (c) => c.json({ settings: await updateSettings(c.get('ctx'), actorOf(c), c.req.valid('json')) }, 200));
}
