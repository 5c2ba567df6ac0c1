// The bench's own connection pools. Sections end by dropping their databases WITH (FORCE), which
// terminates whatever is still connected; an idle pooled connection reports that as an 'error' event, and
// a pool with no listener for it ends the whole run before the report is written (it did, once, right
// after the audit-chain section). Queries in flight still fail on their own.
import pg from 'pg';

export function benchPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', (err) => console.error(`· a bench connection was closed: ${err.message}`));
  return pool;
}
