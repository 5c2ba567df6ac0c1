import { sql } from 'drizzle-orm';
import { boolean, index, pgEnum, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id } from './columns';

export const roles = ['staff', 'admin', 'super_admin'] as const;
export const roleEnum = pgEnum('role', roles);

export const users = pgTable(
  'users',
  {
    id: id(),
    username: text('username').notNull(),
    name: text('name').notNull(),
    role: roleEnum('role').notNull().default('staff'),
    // scrypt$N$r$p$salt$hash; null for accounts that only sign in through Slack.
    passwordHash: text('password_hash'),
    active: boolean('active').notNull().default(true),
    slackUserId: text('slack_user_id'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // Usernames compare case-insensitively: "Nurse.A" and "nurse.a" are one account.
    uniqueIndex('users_username_key').on(sql`lower(${t.username})`),
    uniqueIndex('users_slack_user_id_key').on(t.slackUserId),
    index('users_role_idx').on(t.role),
  ],
);

export type User = typeof users.$inferSelect;
export type Role = (typeof roles)[number];
