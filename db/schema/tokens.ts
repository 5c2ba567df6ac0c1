import { sql } from 'drizzle-orm';
import { index, pgEnum, pgTable, smallint, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id } from './columns';
import { users } from './users';

export const tokenStatuses = ['available', 'used', 'expired', 'revoked'] as const;
export const tokenStatusEnum = pgEnum('token_status', tokenStatuses);

export const tokens = pgTable(
  'tokens',
  {
    id: id(),
    // HMAC-SHA256(APP_SECRET, plaintext), hex. The plaintext itself is never stored.
    hash: text('hash').notNull(),
    length: smallint('length').notNull(),
    status: tokenStatusEnum('status').notNull().default('available'),
    userId: uuid('user_id').references(() => users.id),
    generatedBy: uuid('generated_by').references(() => users.id),
    requestId: uuid('request_id'),
    usedBy: uuid('used_by').references(() => users.id),
    usedAt: at('used_at'),
    revokedAt: at('revoked_at'),
    expiresAt: at('expires_at').notNull(),
    createdAt: createdAt(),
    notes: text('notes'),
    // The plaintext sealed (AES-256-GCM under a key derived from APP_SECRET) until it reaches its holder
    // once, by Slack DM or the PWA's one-time reveal; cleared on delivery.
    sealed: text('sealed'),
  },
  (t) => [
    // Validation looks a token up by hash among available ones; uniqueness there is what makes a typed
    // code name exactly one token. Used and expired tokens may share a hash with a new one.
    uniqueIndex('tokens_available_hash_key')
      .on(t.hash)
      .where(sql`${t.status} = 'available'`),
    // Misses are explained (used / expired) from the caller's own tokens only.
    index('tokens_user_hash_idx').on(t.userId, t.hash),
    // Stock per user (monitoring, /me, low-stock alerts).
    index('tokens_user_available_idx')
      .on(t.userId)
      .where(sql`${t.status} = 'available'`),
    // Admin list: filter by status (and user), newest first.
    index('tokens_status_created_idx').on(t.status, t.createdAt, t.id),
    index('tokens_user_created_idx').on(t.userId, t.createdAt, t.id),
    // Expiry sweep scans only tokens that can still expire.
    index('tokens_available_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'available'`),
    // Monitoring's "used in the last 24 hours".
    index('tokens_used_at_idx')
      .on(t.usedAt)
      .where(sql`${t.status} = 'used'`),
    index('tokens_sealed_idx')
      .on(t.userId)
      .where(sql`${t.sealed} is not null`),
    // Stock over time (monitoring series) walks back from today's stock through the tokens that left it;
    // revocations and swept expiries are rare, so these stay small and validation never writes them.
    index('tokens_revoked_at_idx')
      .on(t.revokedAt)
      .where(sql`${t.status} = 'revoked'`),
    index('tokens_expired_at_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'expired'`),
    // A token revoked after its expiry left the stock at the expiry (migration 0020).
    index('tokens_revoked_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'revoked'`),
  ],
);

export type Token = typeof tokens.$inferSelect;
export type TokenStatus = (typeof tokenStatuses)[number];
