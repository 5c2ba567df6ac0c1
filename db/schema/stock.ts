// Running counts kept by triggers on tokens (migration 0003), so monitoring reads a few rows instead of
// counting millions. They change in the same transaction as the tokens they count.
import { bigint, index, integer, pgTable, primaryKey, smallint, uuid } from 'drizzle-orm/pg-core';
import { tokenStatusEnum } from './tokens';
import { users } from './users';

// Tokens per status, spread over shards (the writing backend's pid modulo 64) so that concurrent
// validations on different connections never wait on one hot counter row. Read as a sum per status.
export const tokenCounts = pgTable(
  'token_counts',
  {
    shard: smallint('shard').notNull(),
    status: tokenStatusEnum('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.shard, t.status] })],
);

// Available (status = 'available') tokens per user; every user has a row (trigger on users).
export const userStock = pgTable(
  'user_stock',
  {
    userId: uuid('user_id').primaryKey().references(() => users.id, { onDelete: 'cascade' }),
    available: integer('available').notNull().default(0),
  },
  // Low-stock users, lowest first: an index range scan that stops after the page.
  (t) => [index('user_stock_available_idx').on(t.available, t.userId)],
);
