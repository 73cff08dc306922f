import { Status, type GetRequest, type SubOperationResult } from '../../lib/dimse/index.js';
import type { Archive } from '../../archive/index.js';
import type { DimseAccess } from './dimse-access.js';
import { isForbidden } from './dimse-status.js';
import { readIdentifier } from './identifier.js';
import { selectInstances } from './retrieve-selection.js';
import { datasetsAhead } from './datasets-ahead.js';

/**
 * C-GET SCP (PS3.4 C.4.3): each selected instance goes back to the requestor as a C-STORE on the same
 * association, its data set streamed from storage as it was received; the engine counts and reports.
 */
export function createGetHandler(archive: Archive, access: DimseAccess) {
  return async (request: GetRequest): Promise<SubOperationResult | void> => {
    const identifier = readIdentifier(request.identifier, request.transferSyntaxUid);
    const ctx = await access
      .authorize(request.association.info, 'study.export', `C-GET ${request.sopClassUid}`)
      .catch((error: unknown) => (isForbidden(error) ? undefined : Promise.reject(error)));
    if (!ctx) return { status: Status.NotAuthorized, errorComment: 'not authorized to retrieve' };
    const instances = await selectInstances(archive, ctx, identifier);
    request.setRemaining(instances.length);
    for (const { instance, data, close } of datasetsAhead(instances)) {
      if (request.signal.aborted || !request.association.isOpen) {
        close();
        break;
      }
      try {
        await request.store({
          sopClassUid: instance.sopClassUid,
          sopInstanceUid: instance.sopInstanceUid,
          transferSyntaxUid: instance.transferSyntaxUid,
          data,
        });
      } catch {
        // Counted as failed by the engine (typically: the requestor did not accept the stored transfer
        // syntax); the other instances still go.
        close();
      }
    }
  };
}
