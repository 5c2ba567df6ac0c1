// Whether the user has been told their stock is low since it last crossed the threshold.
import { boolean, pgTable, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns';
import { users } from './users';

export const stockAlerts = pgTable('stock_alerts', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  alerted: boolean('alerted').notNull().default(false),
  changedAt: at('changed_at').notNull().defaultNow(),
});
