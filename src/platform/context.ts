import { randomUUID } from 'node:crypto';
import type { Logger } from './log/index.js';

// Who is acting: a person, a service account (API key), a remote DICOM node, an HL7 application, or Lantern
// itself (jobs, CLI). Doors build the actor from what authenticated the caller (platform/security); policy and
// audit read it. Permissions are names from platform/security/permissions.ts; when a door leaves them out, they
// follow from the roles.
export type Actor =
  | UserActor
  | { kind: 'service'; apiKeyName: string; roles: readonly string[]; permissions?: readonly string[] }
  | { kind: 'ae'; aeTitle: string; permissions?: readonly string[] }
  | { kind: 'hl7-app'; application: string; facility: string; permissions?: readonly string[] }
  | { kind: 'system'; name: string };

export interface UserActor {
  kind: 'user';
  /** Stable id: the local user's id, `oidc:<sub>` for an external identity, `anonymous` without login. */
  id: string;
  /** The login name, as written to the audit trail. */
  username?: string;
  /** The person's name as it prints (a signed report's signer): the account's, or the token's `name` claim. */
  displayName?: string;
  roles: readonly string[];
  permissions?: readonly string[];
  /** Which patients reads reach: all, or only those of orders the user referred (RIS applies it). */
  patientReach?: 'all' | 'referred';
  /** Emergency access for this request, with the reason given; every audit record carries it. */
  breakGlass?: { reason: string };
  /** OAuth scopes (and SMART launch patient) of a token from an OpenID provider, for the FHIR door. */
  oauth?: { scopes: readonly string[]; patient?: string };
}

export type Door = 'dimse' | 'dicomweb' | 'hl7' | 'fhir' | 'api' | 'cli' | 'job';

export interface Origin {
  door: Door;
  remoteAddress?: string;
  callingAeTitle?: string;
  calledAeTitle?: string;
}

/** The first parameter of every service call. Transport objects never pass the adapter boundary. */
export interface RequestContext {
  readonly requestId: string;
  readonly actor: Actor;
  readonly origin: Origin;
  readonly log: Logger;
}

export function createContext(
  log: Logger,
  actor: Actor,
  origin: Origin,
  requestId: string = randomUUID(),
): RequestContext {
  return { requestId, actor, origin, log: log.child({ requestId, door: origin.door }) };
}

/** A short, log-safe description of the actor, as written to the audit trail. */
export function describeActor(actor: Actor): { kind: Actor['kind']; id: string } {
  switch (actor.kind) {
    case 'user':
      return { kind: 'user', id: actor.username ?? actor.id };
    case 'service':
      return { kind: 'service', id: actor.apiKeyName };
    case 'ae':
      return { kind: 'ae', id: actor.aeTitle };
    case 'hl7-app':
      return { kind: 'hl7-app', id: `${actor.application}@${actor.facility}` };
    case 'system':
      return { kind: 'system', id: actor.name };
  }
}
