// Every table, one file each; drizzle-kit reads this index to generate migrations.
export * from './users';
export * from './sessions';
export * from './sign-in-codes';
export * from './tokens';
export * from './token-requests';
export * from './grants';
export * from './grant-reviews';
export * from './emergency-records';
export * from './audit-events';
export * from './attempt-counters';
export * from './stock-alerts';
export * from './slack-receipts';
export * from './outbox';
export * from './token-counts';
export * from './user-stock';
export * from './settings';
export * from './secret-keys';
