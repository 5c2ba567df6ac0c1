// The audit row, written once: audit() inserts one from TypeScript values, and the validation hot path
// inserts the same row inside its one statement, with ids taken from the rows it just wrote.
import { sql, type SQL } from 'drizzle-orm';
import type { Outcome } from '../../../db/schema';
import type { AuditAction } from '../audit';
import { isSql, jsonbObject, val, type Val } from './value';

export interface AuditEntry {
  action: AuditAction;
  outcome?: Outcome;
  actorId?: Val<string | null>;
  subjectUserId?: Val<string | null>;
  tokenId?: Val<string | null>;
  requestId?: Val<string | null>;
  grantId?: Val<string | null>;
  ip?: Val<string | null>;
  /** JSON details; a field may be an SQL expression, or the whole object one (a statement rendered once). */
  details?: Record<string, unknown> | SQL;
}

/** `insert into audit_events ... select <the row> [from <from>]`: one row per row of `from`, or one. */
export function auditInsert(e: AuditEntry, from?: SQL): SQL {
  return sql`insert into audit_events (action, outcome, actor_id, subject_user_id, token_id, request_id, grant_id, ip, details)
    select ${e.action}::text, ${e.outcome ?? 'success'}::audit_outcome, ${val(e.actorId, 'uuid')}, ${val(e.subjectUserId, 'uuid')},
           ${val(e.tokenId, 'uuid')}, ${val(e.requestId, 'uuid')}, ${val(e.grantId, 'uuid')}, ${val(e.ip, 'inet')}, ${isSql(e.details) ? e.details : jsonbObject(e.details ?? {})}${from ? sql` from ${from}` : sql``}`;
}
