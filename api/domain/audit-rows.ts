// Audit events as the FHIR export and the syslog shipper read them: one batch at a time, each row with the
// names of the people it names (so a collector shows "Ana (ana.w)", not a bare id).
import { sql, type SQL } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';
import { auditEvents } from '../../db/schema';
import type { AuditRow } from './audit-fhir';

/** One row as the batch query returns it: every column as text, decoded here. */
interface Raw {
  id: string;
  /** Microseconds since the epoch: exact, and cheap for Postgres to print. */
  us: string;
  action: string;
  outcome: 'success' | 'failure';
  actor_id: string | null;
  subject_user_id: string | null;
  token_id: string | null;
  request_id: string | null;
  grant_id: string | null;
  ip: string | null;
  details: string;
}

/** A row, and its place in (at, id) order: `at` in microseconds since the epoch, exact. */
export interface KeyedAuditRow extends AuditRow {
  key: AuditKey;
}
export interface AuditKey {
  us: string;
  id: string;
}

interface Person {
  username: string;
  name: string;
  role: string;
}

/**
 * The people events name, looked up by primary key the first time each is met and kept for the rest of
 * a read. (Joining users in the batch query makes Postgres hash the whole users table for every batch.)
 * Bounded: past MAX entries it starts afresh, so memory stays flat however many people there are.
 * MAX is kept small on purpose: when a read names more people than fit (the bench cycles 100,000), entries
 * live long enough to be promoted to V8's old space, and 10,000 of them made the server's heap grow by
 * ~120 MB between full collections during a 1M-event export (bench/notes.md, NDJSON). 1,000 still covers
 * a ward's or a hospital's active staff.
 */
export class People {
  private static readonly MAX = 1_000;
  private readonly known = new Map<string, Person | null>();

  async resolve(ex: Executor, ids: Iterable<string | null>): Promise<void> {
    const wanted = [...new Set([...ids].filter((id): id is string => id !== null))];
    let missing = wanted.filter((id) => !this.known.has(id));
    if (missing.length === 0) return;
    // Starting afresh also drops the people of this batch that were known: look them up again with the
    // rest (otherwise their events would name an "unknown user").
    if (this.known.size + missing.length > People.MAX) {
      this.known.clear();
      missing = wanted;
    }
    const found = await rows<{ id: string; username: string; name: string; role: string }>(
      ex,
      sql`select id::text, username, name, role::text from users where id = any(${`{${missing.join(',')}}`}::uuid[])`,
    );
    for (const id of missing) this.known.set(id, null);
    for (const p of found) this.known.set(p.id, { username: p.username, name: p.name, role: p.role });
  }

  get(id: string | null): Person | null {
    return id === null ? null : (this.known.get(id) ?? null);
  }
}

/**
 * Up to `limit` events matching `where`, newest first by (at, id) or oldest first by id, with the people
 * they name from `people`.
 */
export async function readAuditRows(ex: Executor, where: SQL, order: 'newest' | 'id', limit: number, people = new People()): Promise<KeyedAuditRow[]> {
  const orderBy = order === 'newest' ? sql`${auditEvents.at} desc, ${auditEvents.id} desc` : sql`${auditEvents.id}`;
  // Every column as text and the time as a number: at export speed, Postgres formatting timestamps or
  // building JSON per row costs more than the query itself; Node decodes the text while Postgres reads
  // the next batch.
  const found = await rows<Raw>(
    ex,
    sql`select ${auditEvents.id}::text as id, (extract(epoch from ${auditEvents.at}) * 1000000)::bigint::text as us,
               ${auditEvents.action} as action, ${auditEvents.outcome}::text as outcome,
               ${auditEvents.actorId}::text as actor_id, ${auditEvents.subjectUserId}::text as subject_user_id, ${auditEvents.tokenId}::text as token_id,
               ${auditEvents.requestId}::text as request_id, ${auditEvents.grantId}::text as grant_id, host(${auditEvents.ip}) as ip,
               ${auditEvents.details}::text as details
        from ${auditEvents} where ${where} order by ${orderBy} limit ${limit}`,
  );
  await people.resolve(
    ex,
    found.flatMap((r) => [r.actor_id, r.subject_user_id]),
  );
  return found.map((r) => {
    const actor = people.get(r.actor_id);
    const subject = people.get(r.subject_user_id);
    return {
      id: r.id,
      at: new Date(Math.floor(Number(r.us) / 1000)).toISOString(),
      action: r.action,
      outcome: r.outcome,
      actorId: r.actor_id,
      subjectUserId: r.subject_user_id,
      tokenId: r.token_id,
      requestId: r.request_id,
      grantId: r.grant_id,
      ip: r.ip,
      details: JSON.parse(r.details) as unknown,
      actor,
      subject: subject && { username: subject.username, name: subject.name },
      key: { us: r.us, id: r.id },
    };
  });
}

/** Rows strictly after `key` in newest-first order. */
export const olderThan = (key: AuditKey) =>
  sql`(${auditEvents.at}, ${auditEvents.id}) < (timestamptz 'epoch' + ${key.us}::bigint * interval '1 microsecond', ${key.id}::bigint)`;
