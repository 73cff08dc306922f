import { Status } from '../../lib/dimse/index.js';
import type { RetrievableInstance } from '../../archive/index.js';
import type { ApplicationEntity } from '../../platform/security/index.js';
import { datasetsAhead } from './datasets-ahead.js';
import { withAssociation } from './with-association.js';

export interface SendCounts {
  completed: number;
  failed: number;
  warning: number;
}

export interface SendOptions {
  ourAeTitle: string;
  /** For C-MOVE sub-operations (PS3.7 9.3.1.1). */
  moveOriginator?: { aeTitle: string; messageId: number };
  signal?: AbortSignal;
  onProgress?: (counts: SendCounts & { remaining: number }) => void;
}

/**
 * C-STORE of stored instances to a remote AE over one association of our own: the engine behind C-MOVE
 * and `lantern send`. Each instance goes as stored (its own transfer syntax; no transcoding), one at a
 * time, its data set streamed from storage.
 */
export async function sendInstances(
  instances: RetrievableInstance[],
  destination: ApplicationEntity,
  options: SendOptions,
): Promise<SendCounts> {
  const counts: SendCounts = { completed: 0, failed: 0, warning: 0 };
  if (instances.length === 0) return counts;
  await withAssociation(
    destination,
    options.ourAeTitle,
    { presentationContexts: proposedContexts(instances) },
    async (association) => {
      let index = 0;
      for (const { instance, data, close } of datasetsAhead(instances)) {
        if (options.signal?.aborted) {
          close();
          break;
        }
        const status = await association
          .store({
            sopClassUid: instance.sopClassUid,
            sopInstanceUid: instance.sopInstanceUid,
            transferSyntaxUid: instance.transferSyntaxUid,
            data,
            moveOriginator: options.moveOriginator,
          })
          .then(
            (response) => response.status,
            () => (close(), Status.ProcessingFailure),
          );
        if (status === Status.Success) counts.completed++;
        else if ((status & 0xf000) === 0xb000) counts.warning++;
        else counts.failed++;
        options.onProgress?.({ ...counts, remaining: instances.length - ++index });
      }
    },
  );
  return counts;
}

/** One presentation context per SOP class and stored transfer syntax (at most 128, PS3.8 9.3.2.2). */
function proposedContexts(instances: RetrievableInstance[]) {
  const pairs = new Map<string, { abstractSyntax: string; transferSyntaxes: string[] }>();
  for (const { sopClassUid, transferSyntaxUid } of instances) {
    pairs.set(`${sopClassUid} ${transferSyntaxUid}`, {
      abstractSyntax: sopClassUid,
      transferSyntaxes: [transferSyntaxUid],
    });
  }
  return [...pairs.values()].slice(0, 128);
}
