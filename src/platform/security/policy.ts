import type { Actor, RequestContext, UserActor } from '../context.js';
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

// Policy: may this actor do this? One answer for every door. Services (and doors, through Security.authorize)
// call authorize() before acting; a refusal is audited where it happens, with what was asked.

/** What an actor may do: from the door's list when it gave one, from the roles otherwise. */
export function permissionsOf(actor: Actor): ReadonlySet<string> {
  switch (actor.kind) {
    case 'system':
      return new Set(PERMISSIONS); // Lantern itself: jobs, and the CLI of whoever holds the server's files
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

export const hasPermission = (actor: Actor, permission: Permission): boolean =>
  permissionsOf(actor).has(permission);

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

/** Throws `forbidden` unless the actor holds the permission; the refusal is audited (security.deny). */
export async function authorize(
  database: Database,
  ctx: RequestContext,
  permission: Permission,
  target: AuthorizeTarget = {},
): Promise<void> {
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
 * Which patients this request may read, for data-level limits. `all`, or `referred`: only patients of orders
 * whose referring physician is this user; the RIS owns orders, so it applies the limit by consulting this
 * (ris/README: a referring physician's order and patient reads filter on referring user = `username`).
 * Break-glass lifts the limit for the one request.
 */
export type PatientScope = { kind: 'all' } | { kind: 'referred'; userId: string; username: string };

export function patientScopeOf(ctx: RequestContext): PatientScope {
  const actor = ctx.actor;
  if (actor.kind !== 'user' || actor.breakGlass) return { kind: 'all' };
  const reach = actor.patientReach ?? patientReachOfRoles(actor.roles);
  if (reach === 'all') return { kind: 'all' };
  return { kind: 'referred', userId: actor.id, username: actor.username ?? actor.id };
}

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
