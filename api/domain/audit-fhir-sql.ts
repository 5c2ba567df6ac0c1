// The FHIR AuditEvent line of audit-fhir-json.ts rendered by Postgres, for the NDJSON export's COPY path
// (audit-ndjson.ts): the same bytes as FhirAuditEventWriter.write, without a row object or a string per
// event in the server. tests/api/audit-fhir-sql.test.ts holds the two equal line by line.
//
// The rules have one home: the per-action parts (type, subtype, action code), the break-the-glass rule,
// the constant pieces (source, server agent, roles, entity types) are the JavaScript writer's own strings
// and tables, passed in as literals; the character rules (fhirText, trim, jsonText's escapes) are derived
// here by running the JavaScript functions over every UTF-16 unit, so they cannot drift. What SQL adds is
// the layout of a line, which mirrors FhirAuditEventWriter.write step by step (the test is what holds
// them together), and JSON.stringify's own rules for non-string details (migration 0021, js_json).
//
// What SQL does not render: a number of more than 15 significant digits (js_number, migration 0021, cannot
// tell how JavaScript prints it) and details with a key that is an array index (JavaScript lists those
// first; sorting every event's keys cost too much). Such a row comes out as JSON in the query's `row`
// column instead and the server writes its line with FhirAuditEventWriter.
import { sql, type SQL } from 'drizzle-orm';
import { auditEvents, roles } from '../../db/schema';
import { asCode, fhirText, FHIR_MAPPING, jsonText, ROLE_SYSTEM, serverOf, UNKNOWN, type AuditSource } from './audit-fhir';
import {
  actionPart,
  BTG,
  DETAILS_ENTITY,
  entityOf,
  freeUuidRef,
  GRANT,
  HUMAN_USER,
  KNOWN_ACTIONS,
  patientEntity,
  PERSON,
  q,
  queryEntity,
  RECORD,
  REQUEST,
  ROLE,
  SYSTEM_OBJECT,
  TOKEN,
  uuidRef,
} from './audit-fhir-json';

/** Every UTF-16 unit Postgres text can hold (no NUL, no lone surrogate). */
const UNITS = Array.from({ length: 0xffff }, (_, i) => String.fromCharCode(i + 1)).filter((c) => c < '\ud800' || c > '\udfff');

/** fhirText as translate(): every unit it changes, and what it becomes (always one unit). */
const FHIR_FROM = UNITS.filter((c) => fhirText(c) !== c);
const FHIR_TO = FHIR_FROM.map((c) => fhirText(c));
if (FHIR_TO.some((c) => c.length !== 1)) throw new Error('fhirText no longer maps unit to unit: audit-fhir-sql.ts needs another form');
/** What String.prototype.trim removes, for btrim(). */
const JS_SPACE = UNITS.filter((c) => c.trim() === '').join('');
/** The whitespace left after fhirText (what asCode folds into one space), as a regex bracket. */
const SPACE_AFTER_FHIR = [...new Set(UNITS.map(fhirText).filter((c) => /\s/.test(c)))];
/** What jsonText escapes beyond JSON.stringify, and as what. */
const JSON_TEXT_ESCAPES = UNITS.filter((c) => jsonText(c) !== JSON.stringify(c)).map((c) => [c, jsonText(c).slice(1, -1)] as const);

const text = (s: string) => sql`${s}::text`;
/** A regex bracket of these characters (none of them special inside one). */
const bracket = (chars: string[], not = false) => {
  if (chars.some((c) => ']\\^-['.includes(c))) throw new Error('a character that needs escaping in a bracket');
  return text(`[${not ? '^' : ''}${chars.join('')}]`);
};
/** A JSON string of a text expression: to_json escapes as JSON.stringify does (\" \\ \b \f \n \r \t, \u00xx). */
const json = (x: SQL) => sql`to_json((${x})::text)::text`;
// translate() and btrim() compare every character with every one of the set; a regex that stops at the
// first character of interest is far cheaper on the common text, which has none (bench/notes.md).
const fhir = (x: SQL) =>
  sql`(case when ${x} ~ ${bracket(FHIR_FROM)} then translate(${x}, ${text(FHIR_FROM.join(''))}, ${text(FHIR_TO.join(''))}) else ${x} end)`;
const notBlank = (x: SQL) => sql`(${x} ~ ${bracket([...JS_SPACE], true)})`;
/** nonEmpty: null for a blank string. */
const nonEmptySql = (x: SQL) => sql`case when ${notBlank(x)} then ${fhir(x)} end`;
/** str(): a non-blank string value of the jsonb `v`, as FHIR text; null otherwise. */
const strSql = (v: SQL) => sql`case when jsonb_typeof(${v}) = 'string' and ${notBlank(sql`${v} #>> '{}'`)} then ${fhir(sql`${v} #>> '{}'`)} end`;
/** asCode, for values not known in advance. */
const asCodeSql = (x: SQL) =>
  sql`coalesce(nullif(regexp_replace(btrim(${fhir(x)}, ${text(JS_SPACE)}), ${bracket(SPACE_AFTER_FHIR)} || '+', ' ', 'g'), ''), 'unknown')`;
/** jsonText of a non-string jsonb value (null when js_json cannot print a number exactly). */
const jsonTextSql = (v: SQL) => JSON_TEXT_ESCAPES.reduce((acc, [from, to]) => sql`replace(${acc}, ${text(from)}, ${text(to)})`, sql`js_json(${v})`);

/**
 * A JSON text with `@@n@@` holes filled by SQL expressions (so the JSON comes from the writer's own
 * builders), the holes never null. concat() builds the result once; a chain of || copies the text so far
 * at every step, which over a whole line cost more than the rest of its rendering.
 */
function fill(template: string, ...parts: SQL[]): SQL {
  const pieces = template.split(/@@(\d)@@/);
  const out: SQL[] = [];
  for (let i = 0; i < pieces.length; i++) out.push(i % 2 === 0 ? text(pieces[i]!) : parts[Number(pieces[i])]!);
  return sql`concat(${sql.join(out, sql`, `)})`;
}
const HOLE = (n: number) => `@@${n}@@`;

// The columns, and the users joined for the names (as People in audit-rows.ts looks them up).
const e = auditEvents;
const actorUser = sql.raw('actor_user');
const subjectUser = sql.raw('subject_user');
/** The details as detailsOf sees them: an object, {} for null, {value: …} for anything else. */
const D = sql.raw('fhir_details.d');

/** type, subtype and action: the writer's string per known action; an unknown action's own code. */
function actionSql(): SQL {
  const known = [...KNOWN_ACTIONS].map(([action, { part }]) => sql`when ${text(action)} then ${text(part)}`);
  const [before, after] = actionPart(HOLE(0), UNKNOWN).split(q(HOLE(0)));
  if (after === undefined) throw new Error('actionPart no longer quotes the code as a whole');
  return sql`case ${e.action} ${sql.join(known, sql` `)} else ${text(before!)} || ${json(asCodeSql(sql`${e.action}`))} || ${text(after)} end`;
}

/** The BTG rule of FHIR_MAPPING: validations always, the other accesses when made under a grant. */
function btgSql(): SQL {
  const list = (which: string) =>
    Object.entries(FHIR_MAPPING)
      .filter(([, m]) => m.btg === which)
      .map(([a]) => text(a));
  return sql`(${e.action} in (${sql.join(list('always'), sql`, `)}) or (${e.action} in (${sql.join(list('under-grant'), sql`, `)}) and ${e.grantId} is not null))`;
}

/** `[{"coding":[BTG],"text":…}]` when break-the-glass applies, else null. */
const purposeOfUseOnce = sql`case when ${btgSql()} then ${text(`[{"coding":[${BTG}]`)} || coalesce(',"text":' || ${json(strSql(sql`${D} -> 'reason'`))}, '') || '}]' end`;
/**
 * What the line uses more than once, worked out once per row (lateral fhir_text): the free-text details
 * the writer reads by name (as str() gives them) and the purpose of use.
 */
const once = {
  purposeOfUse: purposeOfUseOnce,
  username: strSql(sql`${D} -> 'username'`),
  code: strSql(sql`${D} -> 'code'`),
  patientRef: strSql(sql`${D} -> 'patientRef'`),
  recordId: strSql(sql`${D} -> 'recordId'`),
};
const purposeOfUse = sql.raw('fhir_text.pou');
const username = sql.raw('fhir_text.username');
const outcomeDesc = sql.raw('fhir_text.code');
const patientRef = sql.raw('fhir_text.patient_ref');
const recordId = sql.raw('fhir_text.record_id');
const network = sql`(',"network":{"address":' || ${json(sql`host(${e.ip})`)} || ',"type":"2"}')`;
/** asCode of each role the schema allows, known in advance. */
const roleCode = sql`case ${actorUser}.role::text ${sql.join(
  roles.map((r) => sql`when ${text(r)} then ${text(q(asCode(r)))}`),
  sql` `,
)} else ${json(asCodeSql(sql`${actorUser}.role::text`))} end`;
const personNameSql = (u: SQL) =>
  fhir(sql`case when ${u}.name <> '' and ${u}.name <> ${u}.username then ${u}.name || ' (' || ${u}.username || ')' else ${u}.username end`);

/**
 * A known actor's part of the agent (role, who, altId, name), from their users row alone: the lateral
 * actor_person of the query, which Postgres memoizes per person (Memoize), so a person's text is made
 * once however many events name them (as People in audit-rows.ts does for the JavaScript path).
 */
const actorParts = fill(
  `"role":[{"coding":[{"system":"${ROLE_SYSTEM}","code":${HOLE(0)}}]}],"who":${uuidRef(HOLE(1), HOLE(2))},"altId":${HOLE(3)},"name":${HOLE(4)}`,
  roleCode,
  sql`${actorUser}.id::text`,
  json(personNameSql(actorUser)),
  json(fhir(sql`${actorUser}.username`)),
  json(sql`coalesce(${nonEmptySql(sql`${actorUser}.name`)}, ${fhir(sql`${actorUser}.username`)})`),
);

function agentSql(source: AuditSource): SQL {
  const server = q(serverOf(source).agent).slice(0, -1);
  const unknown = fill(`"who":${uuidRef(HOLE(0), q('unknown user'))}`, sql`${e.actorId}::text`);
  return sql`case
    when ${e.actorId} is not null then concat(${text(`{"type":${HUMAN_USER},`)}, coalesce(actor_person.parts, ${unknown}),
         ',"requestor":true', ${network}, ',"purposeOfUse":' || ${purposeOfUse}, '}')
    when ${username} is not null then concat(${text(`{"type":${HUMAN_USER},"who":{"display":`)}, ${json(sql`'unauthenticated: ' || ${username}`)},
         '},"altId":', ${json(username)}, ',"requestor":true', ${network}, '}')
    else concat(${text(server)}, ${network}, '}')
  end`;
}

/** The entities in the writer's order, each without its closing brace, nulls for those the row lacks. */
function entitiesSql(): SQL[] {
  const record = (id: SQL) =>
    fill(
      entityOf(freeUuidRef(HOLE(0), RECORD), SYSTEM_OBJECT, ROLE.domainResource).replace(q(`urn:uuid:${HOLE(0)}`), HOLE(0)),
      json(sql`'urn:uuid:' || ${id}`),
    );
  const byId = (column: SQL, display: string, type: string, role: string) =>
    sql`case when ${column} is not null then ${fill(entityOf(uuidRef(HOLE(0), display), type, role), sql`${column}::text`)} end`;
  const subject = sql`case when ${e.subjectUserId} is not null and ${e.subjectUserId} is distinct from ${e.actorId} then ${fill(
    entityOf(uuidRef(HOLE(0), HOLE(1)), PERSON, ROLE.securityUser),
    sql`${e.subjectUserId}::text`,
    sql`coalesce(subject_person.display, ${text(q('unknown user'))})`,
  )} end`;
  // An array of them, null if none (the subquery runs only for an array: most events have none).
  const recordIds = sql`case when jsonb_typeof(${D} -> 'recordIds') = 'array' then (select array_agg(${record(sql`r.id`)} order by ids.n)
      from jsonb_array_elements(${D} -> 'recordIds') with ordinality as ids(v, n),
           lateral (select ${strSql(sql`ids.v`)} as id) as r
      where r.id is not null) end`;
  const [queryBefore, queryAfter] = queryEntity(HOLE(0)).split(HOLE(0));
  const query = sql`case when ${e.action} = 'audit.exported' and jsonb_typeof(${D} -> 'filter') in ('object', 'array')
    then ${text(queryBefore!)} || replace(encode(convert_to(js_json(${D} -> 'filter'), 'UTF8'), 'base64'), E'\\n', '') || ${text(queryAfter!)} end`;
  return [
    sql`case when ${recordId} is not null then ${record(recordId)} end`,
    recordIds,
    byId(sql`${e.grantId}`, GRANT, SYSTEM_OBJECT, ROLE.securityResource),
    byId(sql`${e.tokenId}`, TOKEN, SYSTEM_OBJECT, ROLE.securityResource),
    byId(sql`${e.requestId}`, REQUEST, SYSTEM_OBJECT, ROLE.domainResource),
    subject,
    sql`case when ${patientRef} is not null then ${fill(patientEntity(HOLE(0)), json(patientRef))} end`,
    query,
  ];
}
/** Which of entitiesSql's parts is the list of record ids (a text[]; the others are text). */
const RECORD_IDS = 1;

/**
 * The entities joined as the writer joins them (without the last closing brace), the details on the
 * first one or, when there is none, on an entity of their own; null when there is nothing. concat_ws
 * leaves out the parts a row lacks.
 */
function entityListSql(count: number): SQL {
  const part = (i: number) => sql.raw(`f.p${i}`);
  const joined = (i: number) => (i === RECORD_IDS ? sql`array_to_string(${part(i)}, '},')` : part(i));
  const detail = sql`',"detail":[' || f.list || ']'`;
  const rest = (from: number) => Array.from({ length: count - from }, (_, k) => joined(from + k));
  const firsts = Array.from({ length: count }, (_, i) => {
    const first = i === RECORD_IDS ? sql`array_to_string((${part(i)}[1] || ${detail}) || ${part(i)}[2:], '},')` : sql`${part(i)} || ${detail}`;
    return sql`when ${part(i)} is not null then concat_ws('},', ${sql.join([first, ...rest(i + 1)], sql`, `)})`;
  });
  return sql`case when f.list is null then nullif(concat_ws('},', ${sql.join(rest(0), sql`, `)}), '')
    ${sql.join(firsts, sql` `)}
    else ${text(DETAILS_ENTITY)} || '"detail":[' || f.list || ']' end`;
}

/**
 * detailList of the writer: each detail (but recordIds, nulls and empty strings) as {type, valueString} in
 * the order JavaScript lists an object's keys, and whether every value could be printed exactly. That
 * order is jsonb's (JSON.parse keeps the text's order) unless a key is an array index, which JavaScript
 * lists first: rather than sort every event's details for that, a row with a key starting with a digit
 * is not exact and goes to the writer (js_json, for nested objects, does sort).
 */
// One aggregate: a detail that is not exact adds chr(1), which cannot otherwise occur in the list (to_json
// escapes control characters).
const detailsSql = sql`select string_agg(case when d.val is null or ascii(d.key) between 48 and 57 then chr(1)
                                              when ${notBlank(sql`d.val`)} then concat('{"type":', ${json(sql`coalesce(${nonEmptySql(sql`d.key`)}, 'detail')`)}, ',"valueString":', ${json(sql`d.val`)}, '}') end, ',') as list
               from (select key, case jsonb_typeof(value) when 'string' then ${fhir(sql`value #>> '{}'`)}
                                                             when 'number' then js_number(value::numeric)
                                                             when 'boolean' then value::text
                                                             else ${jsonTextSql(sql`value`)} end as val
                     from jsonb_each(${D}) as each(key, value)
                     where key <> 'recordIds' and jsonb_typeof(value) <> 'null' and value <> '""'::jsonb) as d`;

/**
 * The COPY query of the export: per event, newest first, either `line` (the resource and its newline) or,
 * when SQL cannot render it exactly, `row` (the AuditRow as JSON, for FhirAuditEventWriter).
 */
export function auditNdjsonQuery(source: AuditSource, where: SQL): SQL {
  const entities = entitiesSql();
  // concat() leaves out a null: each optional part is null when the row lacks it.
  const line = sql`concat(${text('{"resourceType":"AuditEvent","id":"')}, ${e.id}::text, '",', ${actionSql()},
    ',"recorded":"', to_char(${e.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    '","outcome":"', (case when ${e.outcome} = 'success' then '0' else '4' end), '"',
    ',"outcomeDesc":' || ${json(outcomeDesc)}, ',"purposeOfEvent":' || ${purposeOfUse},
    ',"agent":[', ${agentSql(source)}, '],"source":', ${text(q(serverOf(source).source))},
    ',"entity":[' || ${entityListSql(entities.length)} || '}]', ${text('}\n')})`;
  const person = (id: SQL, role: boolean) =>
    sql`(select json_build_object('username', u.username, 'name', u.name${role ? sql`, 'role', u.role` : sql``}) from users as u where u.id = ${id})`;
  const row = sql`json_build_object('id', ${e.id}::text, 'at', to_char(${e.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'action', ${e.action}, 'outcome', ${e.outcome}, 'actorId', ${e.actorId}, 'subjectUserId', ${e.subjectUserId}, 'tokenId', ${e.tokenId},
    'requestId', ${e.requestId}, 'grantId', ${e.grantId}, 'ip', host(${e.ip}), 'details', ${e.details},
    'actor', ${person(sql`${e.actorId}`, true)}, 'subject', ${person(sql`${e.subjectUserId}`, false)})::text`;
  return sql`select case when f.exact then ${line} end as line, case when not f.exact then ${row} end as row
    from ${auditEvents}
    left join lateral (select ${actorParts} as parts from users as actor_user where actor_user.id = ${e.actorId} offset 0) as actor_person on true
    left join lateral (select ${json(personNameSql(subjectUser))} as display from users as subject_user where subject_user.id = ${e.subjectUserId} offset 0)
      as subject_person on true
    cross join lateral (select case jsonb_typeof(${e.details}) when 'object' then ${e.details} when 'null' then '{}'::jsonb
                                    else jsonb_build_object('value', ${e.details}) end as d) as fhir_details
    cross join lateral (select ${once.purposeOfUse} as pou, ${once.username} as username, ${once.code} as code,
                               ${once.patientRef} as patient_ref, ${once.recordId} as record_id) as fhir_text
    cross join lateral (select ${sql.join(
      entities.map((p, i) => sql`${p} as ${sql.raw(`p${i}`)}`),
      sql`, `,
    )}, details.list, coalesce(strpos(details.list, chr(1)) = 0, true) as exact from (${detailsSql}) as details) as f
    where ${where}
    order by ${e.at} desc, ${e.id} desc`;
}
