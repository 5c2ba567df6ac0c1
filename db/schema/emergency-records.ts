import { index, pgTable, smallint, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns';
import { grants } from './grants';
import { users } from './users';

export const emergencyRecords = pgTable(
  'emergency_records',
  {
    id: id(),
    grantId: uuid('grant_id')
      .notNull()
      .references(() => grants.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    patientName: text('patient_name'),
    patientRef: text('patient_ref'),
    complaint: text('complaint').notNull(),
    triageLevel: smallint('triage_level').notNull(),
    notes: text('notes'),
    createdAt: createdAt(),
  },
  (t) => [index('emergency_records_created_idx').on(t.createdAt, t.id), index('emergency_records_user_created_idx').on(t.userId, t.createdAt, t.id)],
);

export type EmergencyRecord = typeof emergencyRecords.$inferSelect;
