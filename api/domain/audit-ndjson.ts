// The filtered audit trail as FHIR AuditEvent resources, one JSON object per line (NDJSON, the FHIR bulk
// data format), newest first like the CSV. Read in keyset batches, so memory stays flat at any size.
import { and, sql } from 'drizzle-orm';
import { audit, auditFor, auditWhere, filterDetails, type AuditFilter } from './audit';
import { auditSourceOf } from './audit-fhir';
import { FhirAuditEventWriter } from './audit-fhir-json';
import { olderThan, People, readAuditRows, type AuditKey, type KeyedAuditRow } from './audit-rows';
import { requireAdmin, type Actor, type Ctx } from './context';

export const NDJSON_BATCH = 2_000;

/** Lines of NDJSON, one chunk per batch. The export itself is audited before the first line. */
export async function* exportAuditNdjson(ctx: Ctx, actor: Actor, filter: AuditFilter, batchSize = NDJSON_BATCH): AsyncGenerator<string> {
  requireAdmin(actor);
  await audit(ctx.db, { action: 'audit.exported', ...auditFor(actor), details: { format: 'ndjson', filter: filterDetails(filter) } });
  const writer = new FhirAuditEventWriter(auditSourceOf(ctx.config.publicUrl));
  const condition = auditWhere(filter) ?? sql`true`;
  const people = new People();
  const read = (after?: AuditKey) => readAuditRows(ctx.db, (after ? and(condition, olderThan(after)) : condition)!, 'newest', batchSize, people);
  // The next batch is asked for as soon as this one's last key is known, so Postgres reads it while this
  // one is turned into JSON here (at most two batches in memory).
  let next: Promise<KeyedAuditRow[]> | null = read();
  while (next) {
    const batch: KeyedAuditRow[] = await next;
    next = batch.length === batchSize ? read(batch[batch.length - 1]!.key) : null;
    // Always awaited (or abandoned with the generator, which then ends): no unhandled rejection.
    next?.catch(() => {});
    if (batch.length === 0) return;
    let chunk = '';
    for (const row of batch) chunk += writer.write(row) + '\n';
    yield chunk;
  }
}
