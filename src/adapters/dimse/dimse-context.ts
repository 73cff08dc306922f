import type { AssociationInfo } from '../../lib/dimse/index.js';
import { createContext, type RequestContext } from '../../platform/context.js';
import type { Logger } from '../../platform/log/index.js';

/** The RequestContext of a DIMSE request: the calling AE acts, through the dimse door. */
export function dimseContext(log: Logger, info: AssociationInfo): RequestContext {
  return createContext(
    log,
    { kind: 'ae', aeTitle: info.callingAeTitle },
    {
      door: 'dimse',
      remoteAddress: info.remoteAddress,
      callingAeTitle: info.callingAeTitle,
      calledAeTitle: info.calledAeTitle,
    },
  );
}
