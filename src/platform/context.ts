import { randomUUID } from 'node:crypto';
import type { Logger } from './log/index.js';

// Who is acting: a person, a remote DICOM node, an HL7 application, or Lantern itself (jobs, CLI).
// Authentication comes later (security issue); every call already carries an actor so policy and audit
// have something true to check and record from day one.
export type Actor =
  | { kind: 'user'; id: string; roles: readonly string[] }
  | { kind: 'ae'; aeTitle: string }
  | { kind: 'hl7-app'; application: string; facility: string }
  | { kind: 'system'; name: string };

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
      return { kind: 'user', id: actor.id };
    case 'ae':
      return { kind: 'ae', id: actor.aeTitle };
    case 'hl7-app':
      return { kind: 'hl7-app', id: `${actor.application}@${actor.facility}` };
    case 'system':
      return { kind: 'system', id: actor.name };
  }
}
