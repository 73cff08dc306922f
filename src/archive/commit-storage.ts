import type { RequestContext } from '../platform/context.js';
import { recordAuditAlone } from '../platform/security/index.js';
import type { BlobKey } from '../platform/storage/index.js';
import type { ArchiveRuntime } from './archive-deps.js';
import { findInstanceLocations } from './retrieve-repo.js';

export interface InstanceReference {
  sopClassUid: string;
  sopInstanceUid: string;
}

export interface CommitmentResult {
  committed: InstanceReference[];
  failed: (InstanceReference & { reason: 'not-stored' | 'class-mismatch' })[];
}

/**
 * Storage commitment (PS3.4 J): takes responsibility for the named instances. Everything stored so far is
 * flushed to disk first, as one group, so an instance reported committed survives a power loss: the
 * modality may delete its copy on this answer.
 */
export async function commitStorage(
  deps: ArchiveRuntime,
  ctx: RequestContext,
  references: InstanceReference[],
): Promise<CommitmentResult> {
  await deps.blobs.flush();
  await deps.database.flush();
  const result: CommitmentResult = { committed: [], failed: [] };
  for (const reference of references) {
    const [stored] = await findInstanceLocations(deps.database, { sopInstanceUid: reference.sopInstanceUid });
    if (!stored || (await deps.blobs.size(stored.blobKey as BlobKey)) !== stored.size) {
      result.failed.push({ ...reference, reason: 'not-stored' });
    } else if (stored.sopClassUid !== reference.sopClassUid) {
      result.failed.push({ ...reference, reason: 'class-mismatch' });
    } else {
      result.committed.push(reference);
    }
  }
  await recordAuditAlone(deps.database, ctx, {
    action: 'instances.commit',
    detail: { committed: result.committed.length, failed: result.failed.length },
  });
  return result;
}
