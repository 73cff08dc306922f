// SMART App Launch scopes (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html) for the FHIR
// door: `patient/*.read`, `user/ImagingStudy.read`, `system/*.*` (v1) and `patient/Observation.rs` (v2).
// A scope can only narrow what the caller's roles allow; the FHIR door checks both. A token that carries them
// is an app's delegation, good on the FHIR door only (policy.ts refuses it on every other door).

import type { Actor } from '../context.js';

export type SmartInteraction = 'read' | 'search' | 'create' | 'update' | 'delete';
export type SmartContext = 'patient' | 'user' | 'system';

export interface SmartScope {
  context: SmartContext;
  /** A FHIR resource type, or `*` for all. */
  resourceType: string;
  interactions: ReadonlySet<SmartInteraction>;
}

const V2_LETTERS: Record<string, SmartInteraction> = {
  c: 'create',
  r: 'read',
  u: 'update',
  d: 'delete',
  s: 'search',
};
const V1: Record<string, SmartInteraction[]> = {
  read: ['read', 'search'],
  write: ['create', 'update', 'delete'],
  '*': ['read', 'search', 'create', 'update', 'delete'],
};

/**
 * The resource scopes of a scope string (space-separated, as in a token's `scope` claim). Other scopes
 * (openid, fhirUser, launch, offline_access) and malformed ones grant nothing and are left out.
 */
export function parseSmartScopes(scope: string | readonly string[]): SmartScope[] {
  const items = typeof scope === 'string' ? scope.split(/\s+/) : scope;
  const out: SmartScope[] = [];
  for (const item of items) {
    // v2 may add query parameters (patient/Observation.rs?category=…); those narrow further and are not
    // supported here, so such a scope is left out rather than read too wide.
    const match = /^(patient|user|system)\/([A-Z][A-Za-z]*|\*)\.([a-z*]+)$/.exec(item);
    if (!match) continue;
    const [, context, resourceType, access] = match as unknown as [string, SmartContext, string, string];
    let interactions: SmartInteraction[] | undefined = V1[access];
    if (!interactions && /^c?r?u?d?s?$/.test(access)) interactions = [...access].map((l) => V2_LETTERS[l]!);
    if (interactions && interactions.length > 0) {
      out.push({ context, resourceType, interactions: new Set(interactions) });
    }
  }
  return out;
}

export type SmartDecision =
  | { allowed: false }
  /** Allowed; with `patientCompartment`, only for resources of that patient (patient/ scopes). */
  | { allowed: true; patientCompartment?: string };

/**
 * Whether scopes allow an interaction on a resource type. `user/` and `system/` scopes allow it outright;
 * `patient/` scopes only within the launch patient's compartment, so a token without a launch patient, or a
 * request for another patient (`patientId`), is refused.
 */
export function smartScopesAllow(
  scopes: readonly SmartScope[],
  request: { resourceType: string; interaction: SmartInteraction; patientId?: string },
  launch: { patient?: string } = {},
): SmartDecision {
  const matching = scopes.filter(
    (s) =>
      (s.resourceType === '*' || s.resourceType === request.resourceType) &&
      s.interactions.has(request.interaction),
  );
  if (matching.some((s) => s.context !== 'patient')) return { allowed: true };
  if (matching.length === 0 || !launch.patient) return { allowed: false };
  if (request.patientId !== undefined && request.patientId !== launch.patient) return { allowed: false };
  return { allowed: true, patientCompartment: launch.patient };
}

export interface SmartDelegation {
  /** The token's whole `scope` claim, for the audit record. */
  scopes: readonly string[];
  /** The SMART launch patient, when the token names one. */
  patient?: string;
}

// Any resource scope, read or not: one Lantern cannot parse (a v2 scope with a query) still marks the
// token as an app's, and must not leave it with the full reach of its roles.
const RESOURCE_SCOPE = /^(patient|user|system)\//;

/**
 * The SMART delegation a caller acts under: a token with resource scopes (`patient/…`, `user/…`,
 * `system/…`) or a launch patient. Undefined for everything else, an OpenID login with `openid profile`
 * included, which its roles alone limit.
 */
export function smartDelegationOf(actor: Actor): SmartDelegation | undefined {
  if (actor.kind !== 'user' || !actor.oauth) return undefined;
  const { scopes, patient } = actor.oauth;
  if (patient === undefined && !scopes.some((s) => RESOURCE_SCOPE.test(s))) return undefined;
  return { scopes, ...(patient === undefined ? {} : { patient }) };
}
