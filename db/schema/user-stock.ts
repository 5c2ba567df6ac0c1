// Available (status = 'available') tokens per user, kept by triggers on tokens (migrations 0003, 0016) in the
// same transaction as the tokens they count; every user has a row (trigger on users).
import { index, integer, pgTable, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';

export const userStock = pgTable(
  'user_stock',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    available: integer('available').notNull().default(0),
  },
  // Low-stock users, lowest first: an index range scan that stops after the page.
  (t) => [index('user_stock_available_idx').on(t.available, t.userId)],
);
