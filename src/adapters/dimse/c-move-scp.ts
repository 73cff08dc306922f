import { Status, type MoveRequest, type SubOperationResult } from '../../lib/dimse/index.js';
import type { Archive } from '../../archive/index.js';
import type { AeTable } from '../../platform/security/index.js';
import type { DimseAccess } from './dimse-access.js';
import { isForbidden } from './dimse-status.js';
import { readIdentifier } from './identifier.js';
import { selectInstances } from './retrieve-selection.js';
import { sendInstances } from './send-instances.js';

/**
 * C-MOVE SCP (PS3.4 C.4.2): the selected instances go to the destination AE of the AE table over an
 * association of our own (send-instances.ts), with a pending response after each sub-operation.
 */
export function createMoveHandler(
  archive: Archive,
  aeTable: AeTable,
  ourAeTitle: string,
  access: DimseAccess,
) {
  return async (request: MoveRequest): Promise<SubOperationResult> => {
    const info = request.association.info;
    const ctx = await access
      .authorize(info, 'study.export', `C-MOVE ${request.sopClassUid} to ${request.destination}`)
      .catch((error: unknown) => (isForbidden(error) ? undefined : Promise.reject(error)));
    if (!ctx) return { status: Status.NotAuthorized, errorComment: 'not authorized to retrieve' };
    const destination = await aeTable.resolve(request.destination);
    if (!destination) {
      return { status: Status.MoveDestinationUnknown, errorComment: `unknown AE ${request.destination}` };
    }
    const identifier = readIdentifier(request.identifier, request.transferSyntaxUid);
    const instances = await selectInstances(archive, ctx, identifier);
    try {
      return await sendInstances(instances, destination, {
        ourAeTitle,
        moveOriginator: { aeTitle: info.callingAeTitle, messageId: request.messageId },
        signal: request.signal,
        onProgress: (progress) => request.report(progress),
      });
    } catch (error) {
      const errorComment = `${destination.aeTitle}: ${(error as Error).message}`.slice(0, 64);
      return { status: Status.RefusedOutOfResourcesSubOperations, failed: instances.length, errorComment };
    }
  };
}
