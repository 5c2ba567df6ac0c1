// The statement a domain function hands to Database.prepared, kept, with the function stopped there (its
// prepared() throws): how the pgbench scripts get the validation statement exactly as sent, and how the
// cost of rendering it is timed on its own.
import type { SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';

export function capturingDatabase(base: Partial<Database> = {}) {
  let captured: SQL | undefined;
  const database = {
    ...base,
    prepared: async (_name: string, query: SQL) => {
      captured = query;
      throw new Error('captured');
    },
  } as Database;
  return {
    database,
    statement(): SQL {
      if (!captured) throw new Error('nothing captured');
      return captured;
    },
  };
}
