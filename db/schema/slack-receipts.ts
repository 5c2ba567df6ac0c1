// Slack requests already handled, keyed by a digest of the signed body, so a retry never acts twice.
import { pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

export const slackReceipts = pgTable('slack_receipts', {
  key: text('key').primaryKey(),
  receivedAt: createdAt(),
});
