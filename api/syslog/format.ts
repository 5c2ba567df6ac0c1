// One audit event as an RFC 5424 syslog message, framed by octet counting (RFC 6587 3.4.1) for TCP and
// TLS (RFC 5425):
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [meta sequenceId="ID"] MSG
// PRI: facility 10 (security/authorization), severity 5 (notice) for a success, 4 (warning) for a
// failure. TIMESTAMP: when the event happened. MSGID: the action (e.g. token.validated). The registered
// SD-ID `meta` carries the event id as sequenceId, so a collector can drop a repeat without parsing the
// payload. MSG: the FHIR AuditEvent (as GET /audit/export.ndjson writes it) or the compact JSON event.
import { hostname } from 'node:os';
import type { AuditRow } from '../domain/audit-fhir';
import type { AuditSource } from '../domain/audit-fhir';
import { fhirAuditEventJson } from '../domain/audit-fhir-json';

export type SyslogFormat = 'fhir' | 'json';

const FACILITY_AUTHPRIV = 10;
const SEVERITY = { success: 5, failure: 4 } as const;
const APP_NAME = 'emergency-token';
const NIL = '-';
/** RFC 5424 header fields: printable US-ASCII without spaces, each with its own length limit. */
const field = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || NIL;
/** sequenceId is 1..2147483647. */
const MAX_SEQUENCE = 2_147_483_647n;

export interface Originator {
  host: string;
  procId: string;
}

export const thisProcess = (): Originator => ({ host: field(hostname(), 255), procId: String(process.pid) });

/** The compact JSON form: the event as the API's audit list shows it, with the actor's username. */
export function compactEvent(row: AuditRow) {
  return {
    id: row.id,
    at: row.at,
    action: row.action,
    outcome: row.outcome,
    actorId: row.actorId,
    actor: row.actor?.username ?? null,
    subjectUserId: row.subjectUserId,
    tokenId: row.tokenId,
    requestId: row.requestId,
    grantId: row.grantId,
    ip: row.ip,
    details: row.details,
  };
}

/** The RFC 5424 message (without framing). */
export function syslogMessage(row: AuditRow, format: SyslogFormat, source: AuditSource, origin: Originator): string {
  const pri = FACILITY_AUTHPRIV * 8 + SEVERITY[row.outcome];
  const id = BigInt(row.id);
  const sd = id >= 1n && id <= MAX_SEQUENCE ? `[meta sequenceId="${row.id}"]` : NIL;
  const payload = format === 'fhir' ? fhirAuditEventJson(row, source) : JSON.stringify(compactEvent(row));
  return `<${pri}>1 ${row.at} ${origin.host} ${APP_NAME} ${field(origin.procId, 128)} ${field(row.action, 32)} ${sd} ${payload}`;
}

/** Octet-counting frame: the message's length in bytes, a space, the message. */
export function frame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
