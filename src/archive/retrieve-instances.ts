import type { Readable } from 'node:stream';
import type { RequestContext } from '../platform/context.js';
import { invalid, notFound } from '../platform/errors.js';
import { recordAuditAlone, recordAuditFailure } from '../platform/security/index.js';
import type { BlobKey } from '../platform/storage/index.js';
import type { ArchiveDeps } from './archive-deps.js';
import { findInstanceLocations, type InstanceLocation, type InstanceSelector } from './retrieve-repo.js';

/** A stored instance as a door sees it: what it is, and a way to read its exact stored bytes. */
export interface RetrievableInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  size: number;
  /** The bytes exactly as received. Opened lazily, so a study is streamed one instance at a time. */
  open(): Readable;
  /** The data set alone, as DIMSE sends it: the stored bytes after the preamble and file meta group. */
  openDataset(): Readable;
}

/**
 * The instances of a study, a series or one SOP instance, for C-GET/C-MOVE/WADO-RS/export. One audit
 * record per retrieve; nothing is read until a door opens an instance.
 */
export async function retrieveInstances(
  deps: ArchiveDeps,
  ctx: RequestContext,
  selector: InstanceSelector,
): Promise<RetrievableInstance[]> {
  const audit = {
    action: 'instances.retrieve',
    studyInstanceUid: selector.studyInstanceUid,
    detail: { ...selector },
  };
  try {
    if (!selector.studyInstanceUid && !selector.seriesInstanceUid && !selector.sopInstanceUid) {
      throw invalid('a retrieve names a study, a series or an instance');
    }
    const locations = await findInstanceLocations(deps.database, selector);
    if (locations.length === 0) {
      const [what, uid] = selector.sopInstanceUid
        ? ['instance', selector.sopInstanceUid]
        : selector.seriesInstanceUid
          ? ['series', selector.seriesInstanceUid]
          : ['study', selector.studyInstanceUid!];
      throw notFound(what, uid);
    }
    const patientIds = [...new Set(locations.map((l) => l.patientId))];
    await recordAuditAlone(deps.database, ctx, {
      ...audit,
      patientId: patientIds.join('\\'),
      studyInstanceUid: locations[0]!.studyInstanceUid,
      detail: { ...selector, instances: locations.length },
    });
    return locations.map((location) => retrievable(deps, location));
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

function retrievable(deps: ArchiveDeps, location: InstanceLocation): RetrievableInstance {
  const { blobKey, patientId: _patientId, datasetOffset, ...facts } = location;
  const key = blobKey as BlobKey;
  return {
    ...facts,
    // The whole file as a range, so the store reads it in chunks that fit it.
    open: () => deps.blobs.open(key, facts.size > 0 ? { start: 0, end: facts.size - 1 } : undefined),
    openDataset: () => deps.blobs.open(key, { start: datasetOffset, end: facts.size - 1 }),
  };
}
