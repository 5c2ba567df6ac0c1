import { z } from '@hono/zod-openapi';
import { readSettings } from '../../domain/settings';
import { actorOf } from '../../http/session';
import { defineRoute, json, pick } from '../helpers';
import type { App } from '../types';

export const SettingsSchema = z
  .object({
    escalationText: z
      .string()
      .nullable()
      .openapi({ description: 'what a nurse locked out of validation is told to do meanwhile', example: 'Call the charge nurse on 1234.' }),
    idleLockMinutes: z.number().int().openapi({ description: 'minutes without input before the app locks and asks for the password' }),
  })
  .openapi('Settings');

const route = defineRoute('admin', {
  operationId: 'getSettings',
  method: 'get',
  path: '/settings',
  tags: ['settings'],
  summary: "The ward's settings (admin)",
  responses: { 200: json(z.object({ settings: SettingsSchema }), 'Settings, defaults filled in'), ...pick(401, 403) },
});

export function registerGetSettings(app: App) {
  app.openapi(route, async (c) => c.json({ settings: await readSettings(c.get('ctx'), actorOf(c)) }, 200));
}
