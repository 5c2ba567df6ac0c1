// The statement a domain function hands to Database.prepared, kept, with the function stopped there (its
// prepared() throws): how the pgbench scripts get the validation statement exactly as sent, and how the
// cost of rendering it is timed on its own.
import type { Database } from '../../db/client';
import type { BoundStatement } from '../../db/statement';

export function capturingDatabase(base: Partial<Database> = {}) {
  let captured: BoundStatement | undefined;
  const database = {
    ...base,
    prepared: async (statement: BoundStatement) => {
      captured = statement;
      throw new Error('captured');
    },
  } as Database;
  return {
    database,
    statement(): BoundStatement {
      if (!captured) throw new Error('nothing captured');
      return captured;
    },
  };
}
