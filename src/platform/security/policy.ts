import type { Actor, Door, RequestContext, UserActor } from '../context.js';
import { describeActor } from '../context.js';
import type { Database } from '../db/index.js';
import { LanternError } from '../errors.js';
import type { AePermission } from './application-entity.js';
import { recordAuditAlone } from './audit.js';
import {
  BREAK_GLASS_GRANTS,
  PERMISSIONS,
  patientReachOfRoles,
  permissionsOfRoles,
  type Permission,
} from './permissions.js';
import { smartDelegationOf, type SmartDelegation } from './smart-scopes.js';

// Policy: may this actor do this? One answer for every door. Services (and doors, through Security.authorize)
// call authorize() before acting; a refusal is audited where it happens, with what was asked.

const EVERYTHING: ReadonlySet<string> = new Set(PERMISSIONS);
// Worked out once per actor object: services ask per call (per instance on ingest), and a door builds its
// actor once per request or association, so this is one Set lookup after the first ask.
const grantedTo = new WeakMap<Actor, ReadonlySet<string>>();

/** What an actor may do: from the door's list when it gave one, from the roles otherwise. */
export function permissionsOf(actor: Actor): ReadonlySet<string> {
  let granted = grantedTo.get(actor);
  if (!granted) {
    granted = grantOf(actor);
    grantedTo.set(actor, granted);
  }
  return granted;
}

function grantOf(actor: Actor): ReadonlySet<string> {
  switch (actor.kind) {
    case 'system':
      return EVERYTHING; // Lantern itself: jobs, and the CLI of whoever holds the server's files
    case 'user':
    case 'service': {
      const granted = new Set<string>(actor.permissions ?? permissionsOfRoles(actor.roles));
      if (actor.kind === 'user' && actor.breakGlass) for (const p of BREAK_GLASS_GRANTS) granted.add(p);
      return granted;
    }
    case 'ae':
    case 'hl7-app':
      return new Set(actor.permissions ?? []);
  }
}

export function hasPermission(actor: Actor, permission: Permission): boolean {
  // A door's own short list (an AE's, an HL7 sender's, a user's from the roles): read it as it is, since a
  // DIMSE door builds a new actor per request and a Set would be built for one question.
  if (actor.kind !== 'system' && actor.permissions && !(actor.kind === 'user' && actor.breakGlass))
    return actor.permissions.includes(permission);
  return permissionsOf(actor).has(permission);
}

/** What the AE table's per-node permissions mean in Lantern's terms, for the DIMSE door's actors. */
export function permissionsOfAe(aePermissions: readonly AePermission[]): Permission[] {
  const map: Record<AePermission, Permission[]> = {
    echo: [],
    store: ['study.store'],
    query: ['study.read', 'patient.read'],
    retrieve: ['study.read', 'study.export'],
    // Modality Worklist (reads orders) and MPPS (reports the performed step, which moves the order on).
    worklist: ['order.read', 'patient.read', 'order.write'],
  };
  return [...new Set(aePermissions.flatMap((p) => map[p]))];
}

export interface AuthorizeTarget {
  patientId?: string;
  studyInstanceUid?: string;
  /** What was asked, for the audit record (a route, a DIMSE command, a FHIR interaction). */
  resource?: string;
}

/**
 * The one door a SMART delegation works on. A token with SMART resource scopes was given to an app for what
 * the scopes name, and only the FHIR door reads scopes (adapters/fhir/smart-scopes.ts); anywhere else it
 * would act with the whole reach of its roles.
 */
export const SMART_DOOR: Door = 'fhir';
export const SMART_OFF_DOOR_MESSAGE = 'this token carries SMART scopes: use it on /fhir';

/** The SMART delegation of a request made on another door than the FHIR one, which nothing may serve. */
export function delegationOffItsDoor(ctx: RequestContext): SmartDelegation | undefined {
  return ctx.origin.door === SMART_DOOR ? undefined : smartDelegationOf(ctx.actor);
}

/**
 * Throws `forbidden` for a SMART-scoped token off the FHIR door, with one security.deny record naming the
 * scopes (and the permission, when an operation asked). The HTTP hook calls it for every request; authorize
 * calls it for every operation, so a door added later cannot serve such a token either.
 */
export async function authorizeDoor(
  database: Database,
  ctx: RequestContext,
  target: AuthorizeTarget = {},
  permission?: Permission,
): Promise<void> {
  const delegation = delegationOffItsDoor(ctx);
  if (!delegation) return;
  await recordAuditAlone(database, ctx, {
    action: 'security.deny',
    outcome: 'failure',
    ...(target.patientId ? { patientId: target.patientId } : {}),
    ...(target.studyInstanceUid ? { studyInstanceUid: target.studyInstanceUid } : {}),
    detail: {
      ...(permission ? { permission } : {}),
      ...(target.resource ? { resource: target.resource } : {}),
      reason: `SMART-scoped token on the ${ctx.origin.door} door`,
      scopes: delegation.scopes,
      ...(delegation.patient === undefined ? {} : { launchPatient: delegation.patient }),
    },
  });
  throw new LanternError('forbidden', SMART_OFF_DOOR_MESSAGE, { door: ctx.origin.door });
}

/**
 * Throws `forbidden` unless the actor holds the permission (and is no SMART delegation off the FHIR door);
 * the refusal is audited (security.deny).
 */
export async function authorize(
  database: Database,
  ctx: RequestContext,
  permission: Permission,
  target: AuthorizeTarget = {},
): Promise<void> {
  if (delegationOffItsDoor(ctx)) return authorizeDoor(database, ctx, target, permission);
  if (hasPermission(ctx.actor, permission)) return;
  await recordAuditAlone(database, ctx, {
    action: 'security.deny',
    outcome: 'failure',
    ...(target.patientId ? { patientId: target.patientId } : {}),
    ...(target.studyInstanceUid ? { studyInstanceUid: target.studyInstanceUid } : {}),
    detail: { permission, ...(target.resource ? { resource: target.resource } : {}) },
  });
  const who = describeActor(ctx.actor);
  throw new LanternError('forbidden', `${who.kind} ${who.id} lacks the permission ${permission}`, {
    permission,
  });
}

/**
 * Which patients this request may read, for data-level limits. `all`, or `referred`: only the patients of
 * orders whose ordering (referring) provider id is this caller's user name (an API key's name for a service
 * account with only limited roles). The RIS owns orders and resolves the limit into patient keys
 * (ris/patient-reach.ts); patients, the archive and the RIS filter their reads with them. Break-glass lifts
 * the limit for the one request. DICOM nodes and HL7 applications act at AE/application level: all.
 */
export type PatientScope = { kind: 'all' } | { kind: 'referred'; userId: string; username: string };

export function patientScopeOf(ctx: RequestContext): PatientScope {
  const actor = ctx.actor;
  if (actor.kind === 'service') {
    if (patientReachOfRoles(actor.roles) === 'all') return { kind: 'all' };
    return { kind: 'referred', userId: `service:${actor.apiKeyName}`, username: actor.apiKeyName };
  }
  if (actor.kind !== 'user' || actor.breakGlass) return { kind: 'all' };
  const reach = actor.patientReach ?? patientReachOfRoles(actor.roles);
  if (reach === 'all') return { kind: 'all' };
  return { kind: 'referred', userId: actor.id, username: actor.username ?? actor.id };
}

/**
 * The patients (their `patient.id` keys) a request may read: all, or exactly these. Resolved from the
 * PatientScope by the RIS and handed to the modules below it (patients, archive) from app.ts.
 */
export type ReachablePatients = { kind: 'all' } | { kind: 'some'; patientKeys: ReadonlySet<number> };
export type PatientReachResolver = (ctx: RequestContext) => Promise<ReachablePatients>;

export const ALL_PATIENTS: ReachablePatients = { kind: 'all' };

/** For modules built without the RIS's resolver (unit tests, tools): a limited caller reaches nobody. */
export const reachWithoutReferrals: PatientReachResolver = async (ctx) =>
  patientScopeOf(ctx).kind === 'all' ? ALL_PATIENTS : { kind: 'some', patientKeys: new Set() };

/** Whether a patient (by key) is within reach. */
export const reaches = (reach: ReachablePatients, patientKey: number | string): boolean =>
  reach.kind === 'all' || reach.patientKeys.has(Number(patientKey));

export const BREAK_GLASS_MIN_REASON = 10;

/**
 * The actor of a break-glass request: a user whose role allows emergency access, with a reason worth reading,
 * reads any patient for this request. Refused otherwise. The caller audits the grant.
 */
export function breakGlass(actor: Actor, reason: string): UserActor {
  const text = reason.trim();
  if (actor.kind !== 'user' || !hasPermission(actor, 'break-glass')) {
    throw new LanternError('forbidden', 'break-glass access is not allowed for this role');
  }
  if (text.length < BREAK_GLASS_MIN_REASON) {
    throw new LanternError(
      'forbidden',
      `break-glass needs a reason of at least ${BREAK_GLASS_MIN_REASON} characters`,
    );
  }
  return { ...actor, breakGlass: { reason: text.slice(0, 500) } };
}
