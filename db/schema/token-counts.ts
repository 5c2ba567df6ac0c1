// Tokens per status, kept by triggers on tokens (migration 0003) in the same transaction as the tokens
// they count, so monitoring reads a few rows instead of counting millions. Spread over shards (the writing
// backend's pid modulo 64) so that concurrent validations on different connections never wait on one hot
// counter row. Read as a sum per status.
import { bigint, pgTable, primaryKey, smallint } from 'drizzle-orm/pg-core';
import { tokenStatusEnum } from './tokens';

export const tokenCounts = pgTable(
  'token_counts',
  {
    shard: smallint('shard').notNull(),
    status: tokenStatusEnum('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.shard, t.status] })],
);
