import { Status, type MoveRequest, type SubOperationResult } from '../../lib/dimse/index.js';
import type { Archive } from '../../archive/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { AeTable } from '../../platform/security/index.js';
import { dimseContext } from './dimse-context.js';
import { readIdentifier } from './identifier.js';
import { selectInstances } from './retrieve-selection.js';
import { sendInstances } from './send-instances.js';

/**
 * C-MOVE SCP (PS3.4 C.4.2): the selected instances go to the destination AE of the AE table over an
 * association of our own (send-instances.ts), with a pending response after each sub-operation.
 */
export function createMoveHandler(archive: Archive, aeTable: AeTable, ourAeTitle: string, log: Logger) {
  return async (request: MoveRequest): Promise<SubOperationResult> => {
    const destination = await aeTable.find(request.destination);
    if (!destination) {
      return { status: Status.MoveDestinationUnknown, errorComment: `unknown AE ${request.destination}` };
    }
    const identifier = readIdentifier(request.identifier, request.transferSyntaxUid);
    const info = request.association.info;
    const instances = await selectInstances(archive, dimseContext(log, info), identifier);
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
