import type { AssociationInfo } from '../../lib/dimse/index.js';
import { createContext, type RequestContext } from '../../platform/context.js';
import type { Logger } from '../../platform/log/index.js';

/**
 * The RequestContext of a DIMSE request: the calling AE acts, through the dimse door, with what the AE
 * table allows it (dimse-access.ts); without `permissions` it may do nothing that needs one.
 */
export function dimseContext(
  log: Logger,
  info: Pick<AssociationInfo, 'callingAeTitle' | 'calledAeTitle' | 'remoteAddress'>,
  permissions?: readonly string[],
): RequestContext {
  return createContext(
    log,
    { kind: 'ae', aeTitle: info.callingAeTitle, ...(permissions ? { permissions } : {}) },
    {
      door: 'dimse',
      remoteAddress: info.remoteAddress,
      callingAeTitle: info.callingAeTitle,
      calledAeTitle: info.calledAeTitle,
    },
  );
}
