// The audit trail as FHIR R4 AuditEvent resources, shaped after IHE Basic Audit Log Patterns (BALP), so a
// hospital's audit record repository, SIEM or FHIR server takes it without a mapping step. One event
// becomes one resource:
//   type / subtype  standard codes for what happened (DICOM security events: login, logout, emergency
//                   override started/stopped, security alert, audit log used; otherwise a RESTful
//                   interaction: create, read, search-type, update), and always our own action code too
//   action          C R U D E;  recorded  the event's time;  outcome  0 (success) or 4 (failure)
//   agent           who did it: the user (uuid identifier, name and username, role, address) with
//                   requestor true; a failed sign-in's claimed username; or this server for sweeps
//   source          this server (observer), an application server
//   entity          what it was about: token, grant, request, record(s), the person it concerned, the
//                   patient reference, an export's query; the event's details as entity.detail
//   purposeOfUse    BTG (v3 ActReason "break the glass") on every validation and every access made
//                   under a grant, on the agent and as the event's purposeOfEvent, with the reason given
// tests/api/audit-fhir.test.ts validates every line against the FHIR R4 JSON schema and structure
// definitions.
import type { AuditEvent as FhirAuditEvent, AuditEventAgent, AuditEventEntity, CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { AuditAction } from './audit';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL = 'http://hl7.org/fhir/restful-interaction';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const SECURITY_ROLE = 'http://terminology.hl7.org/CodeSystem/extra-security-role-type';
/** Identifiers that are URIs: our ids are UUIDs, so `urn:uuid:<id>` is unique beyond this server. */
export const URI = 'urn:ietf:rfc:3986';
/** This application's own action codes and roles (stable: collectors may filter on them). */
export const ACTION_SYSTEM = 'urn:emergency-token:audit-action';
export const ROLE_SYSTEM = 'urn:emergency-token:role';

type FhirAction = NonNullable<FhirAuditEvent['action']>;
/** When an event carries purposeOfUse BTG: always (a validation is breaking the glass), or when made under a grant. */
type Btg = 'always' | 'under-grant' | 'never';
export interface Mapping {
  type: Coding;
  subtype?: Coding;
  action: FhirAction;
  btg: Btg;
}

const dcm = (code: string, display: string): Coding => ({ system: DCM, code, display });
const rest = (interaction: 'create' | 'read' | 'search-type' | 'update', action: FhirAction, btg: Btg = 'never'): Mapping => ({
  type: { system: EVENT_TYPE, code: 'rest', display: 'RESTful Operation' },
  subtype: { system: RESTFUL, code: interaction },
  action,
  btg,
});
const AUTHENTICATION = dcm('110114', 'User Authentication');
const SECURITY_ALERT = dcm('110113', 'Security Alert');
const AUDIT_LOG_USED = dcm('110101', 'Audit Log Used');

/** Every action the server records, mapped once (the type checker refuses an action without a mapping). */
export const FHIR_MAPPING: Record<AuditAction, Mapping> = {
  'auth.login': { type: AUTHENTICATION, subtype: dcm('110122', 'Login'), action: 'E', btg: 'never' },
  'auth.logout': { type: AUTHENTICATION, subtype: dcm('110123', 'Logout'), action: 'E', btg: 'never' },
  'token.generated': rest('create', 'C'),
  'token.validated': { type: SECURITY_ALERT, subtype: dcm('110127', 'Emergency Override Started'), action: 'E', btg: 'always' },
  'token.revoked': rest('update', 'U'),
  'token.expired': rest('update', 'U'),
  'grant.cleared': { type: SECURITY_ALERT, subtype: dcm('110138', 'Emergency Override Stopped'), action: 'E', btg: 'under-grant' },
  'grant.reviewed': rest('update', 'U'),
  'request.created': rest('create', 'C'),
  'request.approved': rest('update', 'U'),
  'request.rejected': rest('update', 'U'),
  'request.expired': rest('update', 'U'),
  'record.created': rest('create', 'C', 'under-grant'),
  'record.listed': rest('search-type', 'E', 'under-grant'),
  'record.viewed': rest('read', 'R', 'under-grant'),
  'user.viewed': rest('read', 'R'),
  'user.created': rest('create', 'C'),
  'user.updated': rest('update', 'U'),
  lockout: { type: SECURITY_ALERT, subtype: dcm('110137', 'User Security Attributes Changed'), action: 'E', btg: 'never' },
  'audit.exported': { type: AUDIT_LOG_USED, action: 'R', btg: 'never' },
  'audit.verified': { type: AUDIT_LOG_USED, action: 'E', btg: 'never' },
  'settings.updated': { type: SECURITY_ALERT, subtype: dcm('110129', 'Security Configuration'), action: 'U', btg: 'never' },
  'outbox.retried': rest('update', 'U'),
};
/** Rows written by something older or newer than this code (or by hand) still become valid resources. */
export const UNKNOWN: Mapping = { type: dcm('110100', 'Application Activity'), action: 'E', btg: 'never' };

/** One audit event as the export reads it: the row, with the names of the people it names. */
export interface AuditRow {
  id: string;
  /** ISO-8601 UTC. */
  at: string;
  action: string;
  outcome: 'success' | 'failure';
  actorId: string | null;
  subjectUserId: string | null;
  tokenId: string | null;
  requestId: string | null;
  grantId: string | null;
  ip: string | null;
  details: unknown;
  actor: { username: string; name: string; role: string } | null;
  subject: { username: string; name: string } | null;
}

/** Who this server is, as the observer of every event. */
export interface AuditSource {
  /** The server's public URL (PUBLIC_URL). */
  url: string;
  /** A short name for the site, e.g. the host. */
  site: string;
}

export function auditSourceOf(publicUrl: string): AuditSource {
  return { url: publicUrl, site: new URL(publicUrl).host };
}

// Constant parts are built once and shared by every resource (an export makes a million of them).
export const BTG: Coding = { system: ACT_REASON, code: 'BTG', display: 'break the glass' };
const entityType = (code: '1' | '2', display: string): Coding => ({ system: ENTITY_TYPE, code, display });
export const PERSON = entityType('1', 'Person');
export const SYSTEM_OBJECT = entityType('2', 'System Object');
const objectRole = (code: string, display: string): Coding => ({ system: OBJECT_ROLE, code, display });
export const ROLE = {
  patient: objectRole('1', 'Patient'),
  domainResource: objectRole('4', 'Domain Resource'),
  securityUser: objectRole('11', 'Security User Entity'),
  securityResource: objectRole('13', 'Security Resource'),
  query: objectRole('24', 'Query'),
};
export const HUMAN_USER: CodeableConcept = { coding: [{ system: SECURITY_ROLE, code: 'humanuser', display: 'human user' }] };
const APPLICATION: CodeableConcept = { coding: [dcm('110150', 'Application')] };
const APPLICATION_SERVER = [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }];
/** This server as the source of every event, and as the agent of its own (sweeps). */
const servers = new WeakMap<AuditSource, { source: FhirAuditEvent['source']; agent: Omit<AuditEventAgent, 'network'> }>();
export const serverOf = (s: AuditSource) => {
  let server = servers.get(s);
  if (!server) {
    const reference = () => ({ identifier: { system: URI, value: s.url }, display: 'Emergency Token' });
    server = { source: { site: s.site, observer: reference(), type: APPLICATION_SERVER }, agent: { type: APPLICATION, who: reference(), requestor: true } };
    servers.set(s, server);
  }
  return server;
};
/** type and subtype per action (the action code included), for the actions this version knows. */
const subtypes = new Map<string, Coding[]>();
function subtypeOf(action: string, mapping: Mapping): Coding[] {
  const known = subtypes.get(action);
  if (known) return known;
  const subtype = [...(mapping.subtype ? [mapping.subtype] : []), { system: ACTION_SYSTEM, code: asCode(action) }];
  if (mapping !== UNKNOWN) subtypes.set(action, subtype);
  return subtype;
}
const uuidRef = (id: string, display: string) => ({ identifier: { system: URI, value: `urn:uuid:${id}` }, display });

/**
 * Free text as a FHIR string. R4 strings hold no control characters but tab, CR and LF, and (its JSON
 * schema's pattern `[ \r\n\t\S]+`) no whitespace but those and space: a control character in a note
 * becomes U+FFFD (visibly replaced; the database and the CSV keep the original), and a no-break space,
 * U+2028 or an ideographic space pasted into a note becomes a space. Otherwise the resource is invalid.
 */
export const fhirText = (s: string) => s.replace(NOT_FHIR, (c) => (c < ' ' ? '\uFFFD' : ' '));
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NOT_FHIR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[^\S \r\n\t]/g;
/** A value as JSON text in a FHIR string: whitespace R4 refuses is escaped (JSON.stringify leaves U+2028 and the like as they are), so nothing is lost. */
export const jsonText = (v: unknown) => JSON.stringify(v).replace(ODD_SPACE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const ODD_SPACE = /[^\S \r\n\t]/g;
/** FHIR strings and codes may not be empty, and codes may not hold runs of whitespace. */
export const nonEmpty = (s: string | null | undefined): string | undefined => (s && s.trim() !== '' ? fhirText(s) : undefined);
export const asCode = (s: string) => fhirText(s).trim().replace(/\s+/g, ' ') || 'unknown';
export const personName = (p: { username: string; name: string }) => fhirText(p.name && p.name !== p.username ? `${p.name} (${p.username})` : p.username);

export function detailsOf(row: AuditRow): Record<string, unknown> {
  const d = row.details;
  if (d && typeof d === 'object' && !Array.isArray(d)) return d as Record<string, unknown>;
  return d === null || d === undefined ? {} : { value: d };
}

export const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? fhirText(v) : undefined);

/** Each detail as an entity.detail entry (objects and lists as JSON), the record ids left out (they are entities). */
function detailEntries(details: Record<string, unknown>): NonNullable<AuditEventEntity['detail']> {
  return Object.entries(details)
    .filter(([k, v]) => k !== 'recordIds' && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => ({ type: nonEmpty(k) ?? 'detail', valueString: typeof v === 'string' ? fhirText(v) : jsonText(v) }))
    .filter((e) => e.valueString.trim() !== '');
}

export function toFhirAuditEvent(row: AuditRow, source: AuditSource): FhirAuditEvent {
  const mapping = Object.hasOwn(FHIR_MAPPING, row.action) ? FHIR_MAPPING[row.action as AuditAction] : UNKNOWN;
  const details = detailsOf(row);
  const reason = str(details.reason);
  const btg = mapping.btg === 'always' || (mapping.btg === 'under-grant' && row.grantId !== null);
  const purposeOfUse: CodeableConcept[] | undefined = btg ? [{ coding: [BTG], ...(reason && { text: reason }) }] : undefined;

  const network = row.ip ? { address: row.ip, type: '2' as const } : undefined;
  let agent: AuditEventAgent;
  if (row.actorId) {
    agent = {
      type: HUMAN_USER,
      ...(row.actor && { role: [{ coding: [{ system: ROLE_SYSTEM, code: asCode(row.actor.role) }] }] }),
      who: uuidRef(row.actorId, row.actor ? personName(row.actor) : 'unknown user'),
      ...(row.actor && { altId: fhirText(row.actor.username), name: nonEmpty(row.actor.name) ?? fhirText(row.actor.username) }),
      requestor: true,
      ...(network && { network }),
      ...(purposeOfUse && { purposeOfUse }),
    };
  } else if (str(details.username)) {
    // A sign-in that failed (or a lockout by username): the claimed username is all that is known.
    agent = {
      type: HUMAN_USER,
      who: { display: `unauthenticated: ${str(details.username)!}` },
      altId: str(details.username)!,
      requestor: true,
      ...(network && { network }),
    };
  } else {
    // The server itself (expiry sweeps, Slack deactivations).
    agent = { ...serverOf(source).agent, ...(network && { network }) };
  }

  const entity: AuditEventEntity[] = [];
  const recordIds = [str(details.recordId), ...(Array.isArray(details.recordIds) ? details.recordIds.map(str) : [])].filter(
    (x): x is string => x !== undefined,
  );
  for (const id of recordIds) entity.push({ what: uuidRef(id, 'Emergency record'), type: SYSTEM_OBJECT, role: ROLE.domainResource });
  if (row.grantId) entity.push({ what: uuidRef(row.grantId, 'Emergency access grant'), type: SYSTEM_OBJECT, role: ROLE.securityResource });
  if (row.tokenId) entity.push({ what: uuidRef(row.tokenId, 'Emergency token'), type: SYSTEM_OBJECT, role: ROLE.securityResource });
  if (row.requestId) entity.push({ what: uuidRef(row.requestId, 'Token request'), type: SYSTEM_OBJECT, role: ROLE.domainResource });
  if (row.subjectUserId && row.subjectUserId !== row.actorId) {
    entity.push({ what: uuidRef(row.subjectUserId, row.subject ? personName(row.subject) : 'unknown user'), type: PERSON, role: ROLE.securityUser });
  }
  const patientRef = str(details.patientRef);
  if (patientRef) entity.push({ what: { identifier: { value: patientRef }, display: 'Patient' }, type: PERSON, role: ROLE.patient });
  if (row.action === 'audit.exported' && details.filter && typeof details.filter === 'object') {
    entity.push({ type: SYSTEM_OBJECT, role: ROLE.query, query: Buffer.from(JSON.stringify(details.filter)).toString('base64') });
  }
  // The details as recorded, on the event's first entity (or one of their own): nothing of the row is lost.
  const detail = detailEntries(details);
  if (detail.length) {
    if (entity[0]) entity[0].detail = detail;
    else entity.push({ type: SYSTEM_OBJECT, description: 'The event as Emergency Token recorded it', detail });
  }

  const subtype = subtypeOf(row.action, mapping);
  const code = str(details.code);
  return {
    resourceType: 'AuditEvent',
    id: row.id,
    type: mapping.type,
    subtype,
    action: mapping.action,
    recorded: row.at,
    outcome: row.outcome === 'success' ? '0' : '4',
    ...(code && { outcomeDesc: code }),
    ...(purposeOfUse && { purposeOfEvent: purposeOfUse }),
    agent: [agent],
    source: serverOf(source).source,
    ...(entity.length && { entity }),
  };
}
