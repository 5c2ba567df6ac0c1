// The filtered audit trail as FHIR AuditEvent resources, one JSON object per line (NDJSON, the FHIR bulk
// data format), newest first like the CSV, with memory flat at any size. On Postgres the lines come from
// one `COPY ... TO STDOUT` in which Postgres renders each resource (audit-fhir-sql.ts), streamed straight
// through on a connection of its own (Database.copyOut, as the CSV export); on PGlite, or while every COPY
// connection is taken, from keyset batches written here (audit-fhir-json.ts). Both send the same bytes.
import { and, sql, type SQL } from 'drizzle-orm';
import { audit, auditFor, auditWhere, filterDetails, type AuditFilter } from './audit';
import { auditSourceOf, type AuditRow, type AuditSource } from './audit-fhir';
import { FhirAuditEventWriter } from './audit-fhir-json';
import { olderThan, People, readAuditRows, type AuditKey, type KeyedAuditRow } from './audit-rows';
import { requireAdmin, type Actor, type Ctx } from './context';

export const NDJSON_BATCH = 250;
/** Bytes per chunk handed to the stream. */
const CHUNK_BYTES = 256 * 1024;

/**
 * The COPY path's query (audit-fhir-sql.ts), loaded on the first export on Postgres: building its
 * character tables takes 65-135 ms, which start-up, and PGlite (which never uses it), need not pay.
 */
const ndjsonQuery = async (source: AuditSource, where: SQL) => (await import('./audit-fhir-sql')).auditNdjsonQuery(source, where);

/**
 * Lines of NDJSON as UTF-8, in chunks of up to 256 KiB. The export itself is audited before the first line.
 *
 * Each line is written into a Buffer as soon as it is made, so no string outlives its line. Joining a
 * batch's lines into one string (as before) made a 3 MB string per batch, which V8 keeps in its
 * large-object space until a full collection: on 1M events (1.5 GB of text) the server's RSS grew by
 * 160-200 MB between collections (bench/notes.md, section 11).
 */
export async function* exportAuditNdjson(ctx: Ctx, actor: Actor, filter: AuditFilter, batchSize = NDJSON_BATCH): AsyncGenerator<Buffer> {
  requireAdmin(actor);
  await audit(ctx.db, { action: 'audit.exported', ...auditFor(actor), details: { format: 'ndjson', filter: filterDetails(filter) } });
  const source = auditSourceOf(ctx.config.publicUrl);
  const writer = new FhirAuditEventWriter(source);
  const condition = auditWhere(filter) ?? sql`true`;
  // The rows SQL cannot render exactly (a number of more than 15 digits in the details) arrive as JSON
  // and are written here.
  const renderRow = (row: Buffer) => Buffer.from(writer.write(JSON.parse(row.toString('utf8')) as AuditRow) + '\n');
  const copied = ctx.database.copyOut && (await ctx.database.copyOut(await ndjsonQuery(source, condition), renderRow));
  if (copied) {
    yield* copied;
    return;
  }
  const people = new People();
  const read = (after?: AuditKey) => readAuditRows(ctx.db, (after ? and(condition, olderThan(after)) : condition)!, 'newest', batchSize, people);
  // The next batch is asked for as soon as this one's last key is known, so Postgres reads it while this
  // one is turned into JSON here (at most two batches in memory).
  let next: Promise<KeyedAuditRow[]> | null = read();
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  while (next) {
    const batch: KeyedAuditRow[] = await next;
    next = batch.length === batchSize ? read(batch[batch.length - 1]!.key) : null;
    // Always awaited (or abandoned with the generator, which then ends): no unhandled rejection.
    next?.catch(() => {});
    const full: Buffer[] = [];
    for (const row of batch) {
      const line = writer.write(row) + '\n';
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (used + line.length * 3 > chunk.length) {
        if (used > 0) full.push(chunk.subarray(0, used));
        chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, line.length * 3));
        used = 0;
      }
      used += chunk.write(line, used);
    }
    for (const c of full) yield c;
  }
  if (used > 0) yield chunk.subarray(0, used);
}
