import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns';
import { users } from './users';

// Ward settings that admins change in the app (api/domain/settings.ts owns the keys and their rules):
// one row per key, absent until first set, so a missing row means "the default".
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by').references(() => users.id),
});

export type SettingRow = typeof settings.$inferSelect;
