// Every APP_SECRET the servers have run with, by key id (a one-way name of the secret, never the secret):
// when it was first and last seen. Tokens are hashed and sealed under the secret current when they are
// made, so this tells which secrets the tokens still available depend on, and lets a server that starts
// with a different secret say loudly that the tokens made under a missing one cannot be validated.
import { pgTable, text } from 'drizzle-orm/pg-core';
import { at } from './columns';

export const secretKeys = pgTable('secret_keys', {
  keyId: text('key_id').primaryKey(),
  firstSeenAt: at('first_seen_at').notNull().defaultNow(),
  lastSeenAt: at('last_seen_at').notNull().defaultNow(),
});

export type SecretKey = typeof secretKeys.$inferSelect;
