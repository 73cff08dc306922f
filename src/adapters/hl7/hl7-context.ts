import { createContext, type RequestContext } from '../../platform/context.js';
import type { Logger } from '../../platform/log/index.js';

/**
 * What processing an admitted message may do: the sender policy (hl7-sender-policy.ts) refused senders and
 * message types at receipt, before the message was stored; the handlers then read and write patients and
 * orders, which the services authorize like every door's calls.
 */
const PROCESSING_PERMISSIONS = [
  'patient.read',
  'patient.write',
  'order.read',
  'order.write',
  // SIU^S12–S15 book orders on resources.
  'schedule.read',
  'schedule.write',
];

/** Service calls on behalf of an HL7 application: the actor is MSH-3^MSH-4, the origin the HL7 door. */
export function hl7Context(
  log: Logger,
  application: string,
  facility: string,
  remoteAddress?: string,
): RequestContext {
  return createContext(
    log,
    { kind: 'hl7-app', application, facility, permissions: PROCESSING_PERMISSIONS },
    { door: 'hl7', ...(remoteAddress ? { remoteAddress } : {}) },
  );
}
