// The FHIR AuditEvent of audit-fhir.ts written straight to JSON text, for the NDJSON export and the syslog
// stream. toFhirAuditEvent stays the readable, type-checked statement of the mapping; this writer makes the
// same resource (tests/api/audit-fhir.test.ts holds the two equal on every kind of event and on hostile
// text) without building an object graph per event: the parts that are the same for every event of an
// action, for this server or for a person are serialised once, and JSON.stringify is called only on the
// free text of the row (names, details, reasons). Building and serialising ~40 objects per event made the
// export spend most of its time allocating and collecting them (bench/notes.md, section 11).
import {
  ACTION_SYSTEM,
  asCode,
  BTG as BTG_CODING,
  detailsOf,
  FHIR_MAPPING,
  fhirText,
  jsonText,
  HUMAN_USER as HUMAN_USER_ROLE,
  nonEmpty,
  PERSON as PERSON_TYPE,
  personName,
  ROLE as OBJECT_ROLE,
  ROLE_SYSTEM,
  serverOf,
  str,
  SYSTEM_OBJECT as SYSTEM_OBJECT_TYPE,
  UNKNOWN,
  URI,
  type AuditRow,
  type AuditSource,
  type Mapping,
} from './audit-fhir';

export const q = JSON.stringify;
/** A reference by urn:uuid; `id` is from a uuid column (no escaping needed) unless `free` says otherwise. */
export const uuidRef = (id: string, display: string) => `{"identifier":{"system":"${URI}","value":"urn:uuid:${id}"},"display":${display}}`;
export const freeUuidRef = (id: string, display: string) => `{"identifier":{"system":"${URI}","value":${q(`urn:uuid:${id}`)}},"display":${display}}`;
export const entityOf = (what: string, type: string, role: string) => `{"what":${what},"type":${type},"role":${role}`;

export const SYSTEM_OBJECT = q(SYSTEM_OBJECT_TYPE);
export const PERSON = q(PERSON_TYPE);
export const ROLE = {
  patient: q(OBJECT_ROLE.patient),
  domainResource: q(OBJECT_ROLE.domainResource),
  securityUser: q(OBJECT_ROLE.securityUser),
  securityResource: q(OBJECT_ROLE.securityResource),
  query: q(OBJECT_ROLE.query),
};
export const RECORD = q('Emergency record');
export const GRANT = q('Emergency access grant');
export const TOKEN = q('Emergency token');
export const REQUEST = q('Token request');
export const HUMAN_USER = q(HUMAN_USER_ROLE);
export const BTG = q(BTG_CODING);
/** The entity that carries the details when the event names nothing (without its closing brace, like entityOf). */
export const DETAILS_ENTITY = `{"type":${SYSTEM_OBJECT},"description":"The event as Emergency Token recorded it",`;
/** The query entity of an export, its filter as base64 JSON. */
export const queryEntity = (base64: string) => `{"type":${SYSTEM_OBJECT},"role":${ROLE.query},"query":"${base64}"`;
/** The patient entity, `ref` already JSON. */
export const patientEntity = (ref: string) => entityOf(`{"identifier":{"value":${ref}},"display":"Patient"}`, PERSON, ROLE.patient);

/** `"type":…,"subtype":[…],"action":"X"` of one action. */
export function actionPart(action: string, mapping: Mapping): string {
  const subtype = [...(mapping.subtype ? [mapping.subtype] : []), { system: ACTION_SYSTEM, code: asCode(action) }];
  return `"type":${q(mapping.type)},"subtype":${q(subtype)},"action":"${mapping.action}"`;
}
export const KNOWN_ACTIONS = new Map(Object.entries(FHIR_MAPPING).map(([action, mapping]) => [action, { mapping, part: actionPart(action, mapping) }]));

/**
 * Writes AuditEvent resources as JSON for one source. Keeps the serialised parts of the people it has met
 * (bounded, and kept small, like People in audit-rows.ts: so memory stays flat however many there are).
 */
export class FhirAuditEventWriter {
  private static readonly MAX_PEOPLE = 1_000;
  private readonly source: string;
  private readonly serverAgent: string;
  /** Each user met as an actor: the agent's role, who, altId and name, serialised once. */
  private readonly actors = new Map<string, string>();

  constructor(source: AuditSource) {
    const server = serverOf(source);
    this.source = q(server.source);
    // Without the closing brace: a network may follow.
    this.serverAgent = q(server.agent).slice(0, -1);
  }

  private actor(id: string, p: AuditRow['actor']): string {
    const known = this.actors.get(id);
    if (known !== undefined && p) return known;
    const display = q(p ? personName(p) : 'unknown user');
    const parts = p
      ? `"role":[{"coding":[{"system":"${ROLE_SYSTEM}","code":${q(asCode(p.role))}}]}],"who":${uuidRef(id, display)},"altId":${q(fhirText(p.username))},"name":${q(nonEmpty(p.name) ?? fhirText(p.username))}`
      : `"who":${uuidRef(id, display)}`;
    // A row naming someone unknown (deleted, or a hand-written row) is rare and not kept.
    if (p) {
      if (this.actors.size >= FhirAuditEventWriter.MAX_PEOPLE) this.actors.clear();
      this.actors.set(id, parts);
    }
    return parts;
  }

  /** One event as one line of JSON (no newline); JSON.parse of it equals toFhirAuditEvent(row, source). */
  write(row: AuditRow): string {
    const known = KNOWN_ACTIONS.get(row.action);
    const mapping = known?.mapping ?? UNKNOWN;
    const details = detailsOf(row);
    const reason = str(details.reason);
    const btg = mapping.btg === 'always' || (mapping.btg === 'under-grant' && row.grantId !== null);
    const purposeOfUse = btg ? `[{"coding":[${BTG}]${reason ? `,"text":${q(reason)}` : ''}}]` : '';
    const network = row.ip ? `,"network":{"address":${q(row.ip)},"type":"2"}` : '';

    let agent: string;
    const username = row.actorId ? undefined : str(details.username);
    if (row.actorId) {
      agent = `{"type":${HUMAN_USER},${this.actor(row.actorId, row.actor)},"requestor":true${network}${purposeOfUse && `,"purposeOfUse":${purposeOfUse}`}}`;
    } else if (username) {
      agent = `{"type":${HUMAN_USER},"who":{"display":${q(`unauthenticated: ${username}`)}},"altId":${q(username)},"requestor":true${network}}`;
    } else {
      agent = `${this.serverAgent}${network}}`;
    }

    // Each entity without its closing brace: the details go on the first one.
    const entity: string[] = [];
    const recordId = str(details.recordId);
    if (recordId) entity.push(entityOf(freeUuidRef(recordId, RECORD), SYSTEM_OBJECT, ROLE.domainResource));
    if (Array.isArray(details.recordIds))
      for (const id of details.recordIds.map(str)) if (id) entity.push(entityOf(freeUuidRef(id, RECORD), SYSTEM_OBJECT, ROLE.domainResource));
    if (row.grantId) entity.push(entityOf(uuidRef(row.grantId, GRANT), SYSTEM_OBJECT, ROLE.securityResource));
    if (row.tokenId) entity.push(entityOf(uuidRef(row.tokenId, TOKEN), SYSTEM_OBJECT, ROLE.securityResource));
    if (row.requestId) entity.push(entityOf(uuidRef(row.requestId, REQUEST), SYSTEM_OBJECT, ROLE.domainResource));
    if (row.subjectUserId && row.subjectUserId !== row.actorId)
      entity.push(entityOf(uuidRef(row.subjectUserId, q(row.subject ? personName(row.subject) : 'unknown user')), PERSON, ROLE.securityUser));
    const patientRef = str(details.patientRef);
    if (patientRef) entity.push(patientEntity(q(patientRef)));
    if (row.action === 'audit.exported' && details.filter && typeof details.filter === 'object')
      entity.push(queryEntity(Buffer.from(JSON.stringify(details.filter)).toString('base64')));
    const detail = detailList(details);
    if (detail) {
      const list = `"detail":[${detail}]`;
      if (entity.length) entity[0] += `,${list}`;
      else entity.push(DETAILS_ENTITY + list);
    }

    const code = str(details.code);
    return (
      `{"resourceType":"AuditEvent","id":${q(row.id)},${known?.part ?? actionPart(row.action, UNKNOWN)},"recorded":${q(row.at)},` +
      `"outcome":"${row.outcome === 'success' ? '0' : '4'}"${code ? `,"outcomeDesc":${q(code)}` : ''}${purposeOfUse && `,"purposeOfEvent":${purposeOfUse}`},` +
      `"agent":[${agent}],"source":${this.source}${entity.length ? `,"entity":[${entity.join('},')}}]` : ''}}`
    );
  }
}

/** detailEntries of audit-fhir.ts, written out: each detail as {type, valueString}, comma-separated ('' if none). */
function detailList(details: Record<string, unknown>): string {
  let out = '';
  for (const k in details) {
    const v = details[k];
    if (k === 'recordIds' || v === null || v === undefined || v === '') continue;
    const value = typeof v === 'string' ? fhirText(v) : jsonText(v);
    if (value.trim() === '') continue;
    out += `${out ? ',' : ''}{"type":${q(nonEmpty(k) ?? 'detail')},"valueString":${q(value)}}`;
  }
  return out;
}

const writers = new WeakMap<AuditSource, FhirAuditEventWriter>();
/** One event as FHIR JSON, with a writer kept per source (for callers that write one event at a time). */
export function fhirAuditEventJson(row: AuditRow, source: AuditSource): string {
  let writer = writers.get(source);
  if (!writer) writers.set(source, (writer = new FhirAuditEventWriter(source)));
  return writer.write(row);
}
