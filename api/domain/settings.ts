// Ward settings that admins change in the app: what a locked-out nurse is told to do meanwhile (the
// escalation text) and how long a shared phone may sit idle before the app locks. Stored per key
// (settings table); a key never set reads as its default. Every change is audited in its transaction.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rows, type Executor } from '../../db/client';
import { settings } from '../../db/schema';
import { requireAdmin, type Actor, type Ctx } from './context';
import { audit, auditFor } from './audit';
import { fail } from './errors';

/** The rules of each setting; the route's body schema and the OpenAPI document come from here. */
export const settingsShape = {
  // Shown under the lockout countdown, e.g. "Call the charge nurse on 1234". Empty means none.
  escalationText: z
    .string()
    .max(300)
    .nullable()
    .transform((v) => (v === null || v.trim() === '' ? null : v.trim())),
  // Minutes without a touch or key press before the app hides everything and asks for the password.
  idleLockMinutes: z.number().int().min(1).max(60),
};
export const settingsSchema = z.object(settingsShape);
export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Settings = { escalationText: null, idleLockMinutes: 5 };

const keys = Object.keys(settingsShape) as SettingKey[];

/** Every setting, stored value or default (a stored value that no longer passes its rule reads as the default). */
export async function getSettings(ex: Executor): Promise<Settings> {
  const stored = await rows<{ key: string; value: unknown }>(ex, sql`select key, value from ${settings}`);
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const { key, value } of stored) {
    if (!keys.includes(key as SettingKey)) continue;
    const parsed = settingsShape[key as SettingKey].safeParse(value);
    if (parsed.success) out[key] = parsed.data;
  }
  return out as Settings;
}

export async function readSettings(ctx: Ctx, actor: Actor): Promise<Settings> {
  requireAdmin(actor);
  return getSettings(ctx.db);
}

/** Change some settings (admin). Unchanged values are not written; the audit event names what changed. */
export async function updateSettings(ctx: Ctx, actor: Actor, input: Partial<Record<SettingKey, unknown>>): Promise<Settings> {
  requireAdmin(actor);
  const parsed = settingsSchema.partial().strict().safeParse(input);
  if (!parsed.success) {
    const details: Record<string, string> = {};
    for (const issue of parsed.error.issues) details[issue.path.join('.') || 'body'] ??= issue.message;
    return fail('invalid_input', 'Some settings are invalid.', details);
  }
  return ctx.db.transaction(async (tx) => {
    // One writer at a time, so two admins' changes are audited against the value each really replaced.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('settings', 0))`);
    const before = await getSettings(tx);
    const changes = Object.entries(parsed.data).filter(([k, v]) => v !== undefined && before[k as SettingKey] !== v) as [SettingKey, unknown][];
    if (changes.length === 0) return before;
    for (const [key, value] of changes) {
      await tx.execute(
        sql`insert into ${settings} (key, value, updated_by) values (${key}, ${JSON.stringify(value)}::jsonb, ${actor.id})
            on conflict (key) do update set value = excluded.value, updated_at = now(), updated_by = excluded.updated_by`,
      );
    }
    const after = { ...before, ...Object.fromEntries(changes) } as Settings;
    await audit(tx, {
      action: 'settings.updated',
      ...auditFor(actor),
      details: { changed: changes.map(([k]) => k), ...Object.fromEntries(changes), previous: Object.fromEntries(changes.map(([k]) => [k, before[k]])) },
    });
    return after;
  });
}
