// The floor for the CSV export: Postgres's own `COPY (query) TO STDOUT (FORMAT csv)` of the same rows,
// read by the bench as fast as it arrives. What the export adds on top of it (keyset batches, csv_cell's
// formula neutralising, the server's JS and HTTP) is what the ratio judges.
import type pg from 'pg';
import { countLines } from './load';

/**
 * The unfiltered export's rows, columns and order (api/domain/audit.ts, exportAuditCsv), each column
 * rendered as the export renders it, in one statement; Postgres does the CSV quoting.
 */
export const AUDIT_EXPORT_QUERY = `select id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), action, outcome,
  actor_id, subject_user_id, token_id, request_id, grant_id, host(ip),
  case when jsonb_typeof(details) = 'string' then details #>> '{}' else details::text end
  from audit_events order by at desc, id desc`;

/** Rows and rows/s of one `COPY (query) TO STDOUT (FORMAT csv, HEADER)`, counted by lines as the export is. */
export async function copyCsv(pool: pg.Pool, query: string): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
  // Imported here: a checkout installed before this dev dependency came loses this one baseline (its
  // target says so), not the whole run.
  const { to: copyTo } = await import('pg-copy-streams');
  const client = await pool.connect();
  try {
    const t0 = performance.now();
    const stream = client.query(copyTo(`copy (${query}) to stdout (format csv, header)`));
    let lines = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) lines += countLines(chunk);
    const seconds = (performance.now() - t0) / 1000;
    const rows = lines - 1;
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    client.release();
  }
}
