import type { Resource } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LanternError } from '../../platform/errors.js';
import {
  parseSmartScopes,
  recordAuditAlone,
  smartDelegationOf,
  smartScopesAllow,
  type SmartDecision,
} from '../../platform/security/index.js';
import { httpContext, requestActor } from '../http/index.js';
import { fhirError } from './operation-outcome.js';
import type { ResourceHandler } from './resource-handler.js';

// SMART on FHIR scopes (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html) at the FHIR
// door: a token that carries resource scopes (or a launch patient) may do only what they name, on top of
// what its roles allow (the route permission check came first). Tokens without them are not narrowed.

type Interaction = 'read' | 'search' | 'create' | 'update' | 'delete';
type Params = { type?: string; id?: string };

function interactionOf(request: FastifyRequest): Interaction | undefined {
  const params = request.params as Params;
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return params.id === undefined ? 'search' : 'read';
    case 'POST':
      return request.url.split('?')[0]!.endsWith('/_search') ? 'search' : 'create';
    case 'PUT':
      return 'update';
    case 'DELETE':
      return 'delete';
    default:
      return undefined;
  }
}

/** The patient a request is about, when the request itself says so (a Patient id, a patient search). */
function patientOf(request: FastifyRequest, interaction: Interaction): string | undefined {
  const params = request.params as Params;
  if (params.type === 'Patient' && params.id !== undefined) return params.id;
  if (interaction !== 'search') return undefined;
  const value =
    params.type === 'Patient'
      ? paramOf(request, '_id')
      : (paramOf(request, 'patient') ?? paramOf(request, 'subject'));
  return typeof value === 'string' && !value.includes(',') ? value.replace(/^Patient\//, '') : undefined;
}

// The types Lantern serves that are in the Patient compartment (R4 compartmentdefinition-patient), with the
// search parameter that links them to their patient. Every other type (AuditEvent, Schedule, Slot, Endpoint,
// Practitioner, Organization, Subscription) is outside any patient's compartment: patient/ scopes never
// reach it, whatever the request names.
const COMPARTMENT: Readonly<Record<string, string>> = {
  Patient: '_id',
  ServiceRequest: 'patient',
  DiagnosticReport: 'patient',
  ImagingStudy: 'patient',
  Appointment: 'patient',
};
// Parameters that name a patient, with or without modifiers and chains (patient:missing, subject.name).
const PATIENT_PARAMS = new Set(['patient', 'subject']);

/** The patient a resource belongs to (its compartment link); undefined: none, or not a compartment type. */
export function compartmentPatientOf(resource: Resource): string | undefined {
  const id = (reference: string | undefined) =>
    reference?.startsWith('Patient/') ? reference.slice('Patient/'.length) : undefined;
  switch (resource.resourceType) {
    case 'Patient':
      return resource.id;
    case 'ServiceRequest':
    case 'DiagnosticReport':
    case 'ImagingStudy':
      return id(resource.subject?.reference);
    case 'Appointment': {
      const patients = new Set(
        (resource.participant ?? []).map((p) => id(p.actor?.reference)).filter((p) => p !== undefined),
      );
      return patients.size === 1 ? [...patients][0] : undefined;
    }
    default:
      return undefined;
  }
}

type Query = Record<string, unknown>;
/** Where a search's parameters are: the query string, and a POST _search's form body. */
function queriesOf(request: FastifyRequest): Query[] {
  const out = [request.query as Query];
  if (request.method === 'POST' && request.body && typeof request.body === 'object')
    out.push(request.body as Query);
  return out;
}
function paramOf(request: FastifyRequest, name: string): unknown {
  const [query, body] = queriesOf(request);
  return body?.[name] ?? query?.[name];
}

/**
 * Holds a patient/ scoped search to the launch patient: every parameter that names a patient must name
 * exactly that one (no modifiers, chains or lists), and the type's link parameter is added when the request
 * left it out. Some types answer `_id` and `based-on` ahead of that link: foreignNamedInSearch holds those.
 * Returns why not, when it cannot.
 */
function confineSearch(request: FastifyRequest, type: string, patient: string): string | undefined {
  const link = COMPARTMENT[type]!;
  const names = type === 'Patient' ? new Set(['_id']) : PATIENT_PARAMS;
  for (const query of queriesOf(request)) {
    for (const [key, value] of Object.entries(query)) {
      const base = key.split(/[:.]/)[0]!;
      if (!names.has(base)) continue;
      const values = Array.isArray(value) ? value : [value];
      const own = values.every((v) => typeof v === 'string' && v.replace(/^Patient\//, '') === patient);
      if (key !== base || !own) return `${key} must name the launch patient only`;
    }
  }
  if (paramOf(request, link) === undefined) (request.query as Query)[link] = patient;
  return undefined;
}

const compartments = new WeakMap<FastifyRequest, string>();

// Search parameters some types answer by the resources they name, ahead of the patient link the door adds
// (an order's _id, a report's based-on): each resource named must be the patient's, or the search could
// count or show another's.
const NAMING_PARAMS: Readonly<Record<string, string | undefined>> = {
  _id: undefined,
  'based-on': 'ServiceRequest',
};

/** Whether `Type/id` is in the patient's compartment (a resource that does not exist is not). */
type Owns = (type: string, id: string) => Promise<boolean>;

function ownership(
  request: FastifyRequest,
  handlers: ReadonlyMap<string, ResourceHandler>,
  patient: string,
): Owns {
  return async (type, id) => {
    if (type === 'Patient') return id === patient;
    const handler = COMPARTMENT[type] === undefined ? undefined : handlers.get(type);
    if (!handler) return false;
    const resource = await handler.read(httpContext(request, 'fhir'), id, NO_ENV).catch(() => undefined);
    return resource !== undefined && compartmentPatientOf(resource) === patient;
  };
}

/** The resources a search names by id (`_id`, `based-on`) that are not the patient's: why not, if any. */
async function foreignNamedInSearch(
  request: FastifyRequest,
  type: string,
  owns: Owns,
): Promise<string | undefined> {
  if (type === 'Patient') return undefined; // its _id is the patient link itself
  for (const query of queriesOf(request)) {
    for (const [key, value] of Object.entries(query)) {
      const base = key.split(/[:.]/)[0]!;
      if (!(base in NAMING_PARAMS)) continue;
      const named = NAMING_PARAMS[base] ?? type;
      const values = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
      for (const v of values) {
        const id = v.replace(new RegExp(`^${named}/`), '');
        if (key !== base || !(await owns(named, id)))
          return `${key} names a resource outside the launch patient's`;
      }
    }
  }
  return undefined;
}

/** Every `Type/id` reference a resource carries, wherever it is. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) referencesIn(item, out);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'reference' && typeof inner === 'string') out.push(inner);
      else referencesIn(inner, out);
    }
  }
  return out;
}

/** A write may reference only the patient's resources among the compartment's types (a booking's order …). */
async function foreignReferenced(body: Resource, owns: Owns): Promise<string | undefined> {
  for (const reference of referencesIn(body)) {
    const match = /^([A-Za-z]+)\/([^/]+)$/.exec(reference);
    if (!match || COMPARTMENT[match[1]!] === undefined) continue; // a slot, a practitioner: nobody's patient
    if (!(await owns(match[1]!, match[2]!))) return `${reference} is not the launch patient's`;
  }
  return undefined;
}

async function deny(
  request: FastifyRequest,
  database: Database,
  resource: string,
  why: string,
  patientId?: string,
): Promise<never> {
  const actor = requestActor(request);
  const oauth = actor?.kind === 'user' ? actor.oauth : undefined;
  await recordAuditAlone(database, httpContext(request, 'fhir'), {
    action: 'security.deny',
    outcome: 'failure',
    ...(patientId ? { patientId } : {}),
    detail: {
      resource,
      reason: why,
      scopes: oauth?.scopes ?? [],
      ...(oauth?.patient ? { launchPatient: oauth.patient } : {}),
    },
  });
  throw new LanternError('forbidden', `the token's SMART scopes do not allow ${resource}: ${why}`);
}

type Database = Parameters<typeof recordAuditAlone>[0];
const NO_ENV = { fhirBase: '', serverBase: '', dicomwebBase: '' };

/**
 * Checks every FHIR interaction of a scoped token; a refusal is 403 and one security.deny record. Under
 * patient/ scopes a request reaches only the launch patient's compartment: other types are refused, searches
 * are confined to the patient, writes must belong to the patient, and every resource on its way out (a
 * read, a search's matches and includes) is checked to be the patient's (a read of another's is 404).
 */
export function installSmartScopes(
  fhir: FastifyInstance,
  database: Database,
  handlers: ReadonlyMap<string, ResourceHandler>,
): void {
  fhir.addHook('preHandler', async (request) => {
    const actor = requestActor(request);
    const type = (request.params as Params).type;
    if (actor?.kind !== 'user' || !actor.oauth || type === undefined) return;
    // Resource scopes Lantern cannot read (a v2 scope with a query) grant nothing, but still make the token
    // an app's: it is not let through with its roles' whole reach.
    if (!smartDelegationOf(actor)) return;
    const scopes = parseSmartScopes(actor.oauth.scopes);
    const interaction = interactionOf(request);
    if (!interaction) return;
    const patientId = patientOf(request, interaction);
    const decision: SmartDecision = smartScopesAllow(
      scopes,
      { resourceType: type, interaction, ...(patientId === undefined ? {} : { patientId }) },
      actor.oauth.patient === undefined ? {} : { patient: actor.oauth.patient },
    );
    const resource = `${interaction} ${type}`;
    if (!decision.allowed) return deny(request, database, resource, 'not in the scopes', patientId);
    const patient = decision.patientCompartment;
    if (patient === undefined) return;
    if (COMPARTMENT[type] === undefined)
      return deny(request, database, resource, `${type} is not in a patient's compartment`, patient);
    const id = (request.params as Params).id;
    switch (interaction) {
      case 'search': {
        const why =
          confineSearch(request, type, patient) ??
          (await foreignNamedInSearch(request, type, ownership(request, handlers, patient)));
        if (why) return deny(request, database, resource, why, patient);
        break;
      }
      case 'read':
        break; // checked on the way out: the resource must be the patient's
      case 'create':
      case 'update': {
        const body = request.body as Resource | undefined;
        const owner = body && typeof body === 'object' ? compartmentPatientOf(body) : undefined;
        const ownPatient = type !== 'Patient' || (interaction === 'update' && id === patient);
        if (owner !== patient || !ownPatient)
          return deny(request, database, resource, "the resource must be the launch patient's", patient);
        const foreign = await foreignReferenced(body!, ownership(request, handlers, patient));
        if (foreign) return deny(request, database, resource, foreign, patient);
        if (interaction === 'update' && type !== 'Patient') {
          const handler = handlers.get(type);
          const current = await handler?.read(httpContext(request, 'fhir'), id!, NO_ENV);
          if (!current || compartmentPatientOf(current) !== patient)
            return deny(request, database, resource, "the resource must be the launch patient's", patient);
        }
        break;
      }
      case 'delete':
        return deny(request, database, resource, 'patient/ scopes delete nothing', patient);
    }
    compartments.set(request, patient);
  });

  // The last line: whatever a handler made of the request, nothing of another patient leaves.
  fhir.addHook('preSerialization', async (request, reply, payload: unknown) => {
    const patient = compartments.get(request);
    if (patient === undefined || reply.statusCode >= 300 || !isResource(payload)) return payload;
    const resources =
      payload.resourceType === 'Bundle'
        ? (payload.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => e.resource)
        : [payload];
    const foreign = resources.find((r) => !r || compartmentPatientOf(r) !== patient);
    if (foreign === undefined) return payload;
    compartments.delete(request);
    const type = (request.params as Params).type!;
    const interaction = interactionOf(request) ?? 'read';
    if (interaction === 'read') {
      await recordAuditAlone(database, httpContext(request, 'fhir'), {
        action: 'security.deny',
        outcome: 'failure',
        patientId: patient,
        detail: { resource: `read ${type}`, reason: "not the launch patient's" },
      });
      throw fhirError(
        404,
        'not-found',
        `no ${type}/${(request.params as Params).id} in this patient's compartment`,
      );
    }
    return deny(
      request,
      database,
      `${interaction} ${type}`,
      `the result reaches outside the launch patient's compartment (${foreign?.resourceType ?? 'a resource'})`,
      patient,
    );
  });
}

function isResource(payload: unknown): payload is Resource {
  return !!payload && typeof payload === 'object' && typeof (payload as Resource).resourceType === 'string';
}
