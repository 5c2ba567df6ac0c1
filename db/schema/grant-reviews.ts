// The after-the-fact review of a grant; the primary key makes it happen once.
import { pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns';
import { grants } from './grants';
import { users } from './users';

export const verdicts = ['justified', 'flagged'] as const;
export const verdictEnum = pgEnum('review_verdict', verdicts);

export const grantReviews = pgTable('grant_reviews', {
  grantId: uuid('grant_id')
    .primaryKey()
    .references(() => grants.id),
  verdict: verdictEnum('verdict').notNull(),
  reviewedBy: uuid('reviewed_by')
    .notNull()
    .references(() => users.id),
  reviewedAt: at('reviewed_at').notNull().defaultNow(),
  note: text('note'),
});

export type GrantReview = typeof grantReviews.$inferSelect;
export type Verdict = (typeof verdicts)[number];
