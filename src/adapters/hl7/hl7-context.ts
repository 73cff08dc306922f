import { createContext, type RequestContext } from '../../platform/context.js';
import type { Logger } from '../../platform/log/index.js';

/** Service calls on behalf of an HL7 application: the actor is MSH-3^MSH-4, the origin the HL7 door. */
export function hl7Context(
  log: Logger,
  application: string,
  facility: string,
  remoteAddress?: string,
): RequestContext {
  return createContext(
    log,
    { kind: 'hl7-app', application, facility },
    { door: 'hl7', ...(remoteAddress ? { remoteAddress } : {}) },
  );
}
