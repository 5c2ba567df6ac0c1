import { sql } from 'drizzle-orm';
import { boolean, index, pgEnum, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, id } from './columns';

export const roles = ['staff', 'admin', 'super_admin'] as const;
export const roleEnum = pgEnum('role', roles);
/** The languages the app speaks (PWA and Slack). */
export const locales = ['en', 'id'] as const;
export const localeEnum = pgEnum('locale', locales);

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
    // Created by the Slack bot for a workspace member (SLACK_AUTO_PROVISION), not by an admin: such an
    // account follows its Slack user (deactivated with them).
    slackProvisioned: boolean('slack_provisioned').notNull().default(false),
    // The person's own choice of language; null: the PWA asks the browser, Slack asks users.info.
    locale: localeEnum('locale'),
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
/** A user as a request carries them: everything but the password hash, which only sign-in reads. */
export type SignedInUser = Omit<User, 'passwordHash'>;
export type Role = (typeof roles)[number];
export type Locale = (typeof locales)[number];
