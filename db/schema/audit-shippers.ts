// How far each audit shipper (the syslog stream to the hospital's collector) has got: the id of the last
// audit event it knows the collector has, so nothing is lost when the collector or this server is down,
// and a lease so that of several instances exactly one ships at a time. One row per shipper; no row per
// event (the audit table itself is the queue).
import { sql } from 'drizzle-orm';
import { bigint, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { at } from './columns';

export const auditShippers = pgTable('audit_shippers', {
  name: text('name').primaryKey(),
  // Every audit event with an id up to this one has been delivered (or never existed: a rolled-back id).
  lastId: bigint('last_id', { mode: 'bigint' })
    .notNull()
    .default(sql`0`),
  leaseHolder: uuid('lease_holder'),
  leaseUntil: at('lease_until'),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export type AuditShipper = typeof auditShippers.$inferSelect;
