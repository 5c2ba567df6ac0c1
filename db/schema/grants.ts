import { sql } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, id } from './columns';
import { tokens } from './tokens';
import { users } from './users';

// An emergency access session, opened by consuming a token.
export const grants = pgTable(
  'grants',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    tokenId: uuid('token_id')
      .notNull()
      .references(() => tokens.id),
    reason: text('reason').notNull(),
    patientRef: text('patient_ref'),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
    clearedAt: at('cleared_at'),
    slackChannel: text('slack_channel'),
    slackTs: text('slack_ts'),
    // Copied from grant_reviews in the review's transaction, only so that "unreviewed" has a partial index.
    reviewedAt: at('reviewed_at'),
  },
  (t) => [
    // Monitoring counts unreviewed grants; reviews make this index shrink, not grow.
    index('grants_unreviewed_idx')
      .on(t.createdAt)
      .where(sql`${t.reviewedAt} is null`),
    // A token opens one grant, ever.
    uniqueIndex('grants_token_key').on(t.tokenId),
    // "My active grant" on every /me and record write.
    index('grants_user_open_idx')
      .on(t.userId, t.expiresAt)
      .where(sql`${t.clearedAt} is null`),
    index('grants_created_idx').on(t.createdAt, t.id),
  ],
);

export type Grant = typeof grants.$inferSelect;
