import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LanternError } from '../../platform/errors.js';
import {
  parseSmartScopes,
  recordAuditAlone,
  smartScopesAllow,
  type SmartDecision,
} from '../../platform/security/index.js';
import { httpContext, requestActor } from '../http/index.js';

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
  const query = {
    ...(request.query as Record<string, unknown>),
    ...(request.method === 'POST' ? (request.body as Record<string, unknown> | undefined) : {}),
  };
  const value = params.type === 'Patient' ? query._id : (query.patient ?? query.subject);
  return typeof value === 'string' && !value.includes(',') ? value.replace(/^Patient\//, '') : undefined;
}

/** Checks every FHIR interaction of a scoped token; a refusal is 403 and one security.deny record. */
export function installSmartScopes(
  fhir: FastifyInstance,
  database: Parameters<typeof recordAuditAlone>[0],
): void {
  fhir.addHook('preHandler', async (request) => {
    const actor = requestActor(request);
    const type = (request.params as Params).type;
    if (actor?.kind !== 'user' || !actor.oauth || type === undefined) return;
    const scopes = parseSmartScopes(actor.oauth.scopes);
    if (scopes.length === 0 && actor.oauth.patient === undefined) return;
    const interaction = interactionOf(request);
    if (!interaction) return;
    const patientId = patientOf(request, interaction);
    const decision: SmartDecision = smartScopesAllow(
      scopes,
      { resourceType: type, interaction, ...(patientId === undefined ? {} : { patientId }) },
      actor.oauth.patient === undefined ? {} : { patient: actor.oauth.patient },
    );
    // patient/ scopes reach one patient's compartment: only requests that name that patient are let
    // through (Patient/<id>, ?patient=<id>); a read by id of another type cannot show it beforehand.
    const allowed = decision.allowed && (!decision.patientCompartment || patientId !== undefined);
    if (allowed) return;
    const resource = `${interaction} ${type}`;
    await recordAuditAlone(database, httpContext(request, 'fhir'), {
      action: 'security.deny',
      outcome: 'failure',
      ...(patientId ? { patientId } : {}),
      detail: {
        resource,
        scopes: actor.oauth.scopes,
        ...(actor.oauth.patient ? { launchPatient: actor.oauth.patient } : {}),
      },
    });
    throw new LanternError('forbidden', `the token's SMART scopes do not allow ${resource}`);
  });
}
