import { connect, Status, type MoveRequest, type SubOperationResult } from '../../lib/dimse/index.js';
import type { Archive, RetrievableInstance } from '../../archive/index.js';
import type { Logger } from '../../platform/log/index.js';
import type { AeTable } from '../../platform/security/index.js';
import { dimseContext } from './dimse-context.js';
import { readIdentifier } from './identifier.js';
import { selectInstances } from './retrieve-selection.js';

/**
 * C-MOVE SCP (PS3.4 C.4.2): the selected instances go to the destination AE of the AE table over an
 * association of our own, each as stored (no transcoding: a destination must accept the stored transfer
 * syntax), with a pending response after each sub-operation.
 */
export function createMoveHandler(archive: Archive, aeTable: AeTable, ourAeTitle: string, log: Logger) {
  return async (request: MoveRequest): Promise<SubOperationResult> => {
    const destination = await aeTable.find(request.destination);
    if (!destination)
      return { status: Status.MoveDestinationUnknown, errorComment: `unknown AE ${request.destination}` };
    const identifier = readIdentifier(request.identifier, request.transferSyntaxUid);
    const info = request.association.info;
    const instances = await selectInstances(archive, dimseContext(log, info), identifier);
    const counts = { completed: 0, failed: 0, warning: 0 };
    if (instances.length === 0) return counts;
    let association;
    try {
      association = await connect({
        host: destination.host,
        port: destination.port,
        callingAeTitle: ourAeTitle,
        calledAeTitle: destination.aeTitle,
        presentationContexts: proposedContexts(instances),
      });
    } catch (error) {
      const errorComment = `${destination.aeTitle}: ${(error as Error).message}`.slice(0, 64);
      return { status: Status.RefusedOutOfResourcesSubOperations, failed: instances.length, errorComment };
    }
    try {
      for (const [index, instance] of instances.entries()) {
        if (request.signal.aborted) break;
        const response = await association
          .store({
            sopClassUid: instance.sopClassUid,
            sopInstanceUid: instance.sopInstanceUid,
            transferSyntaxUid: instance.transferSyntaxUid,
            data: instance.openDataset(),
            moveOriginator: { aeTitle: info.callingAeTitle, messageId: request.messageId },
          })
          .catch(() => ({ status: Status.ProcessingFailure }));
        if (response.status === Status.Success) counts.completed++;
        else if ((response.status & 0xf000) === 0xb000) counts.warning++;
        else counts.failed++;
        request.report({ ...counts, remaining: instances.length - index - 1 });
      }
    } finally {
      await association.release().catch(() => association.abort());
    }
    return counts;
  };
}

/** One presentation context per SOP class and stored transfer syntax of what is to be sent. */
function proposedContexts(instances: RetrievableInstance[]) {
  const bySopClass = new Map<string, Set<string>>();
  for (const { sopClassUid, transferSyntaxUid } of instances) {
    const syntaxes = bySopClass.get(sopClassUid) ?? new Set<string>();
    syntaxes.add(transferSyntaxUid);
    bySopClass.set(sopClassUid, syntaxes);
  }
  return [...bySopClass].flatMap(([abstractSyntax, syntaxes]) =>
    [...syntaxes].map((ts) => ({ abstractSyntax, transferSyntaxes: [ts] })),
  );
}
