import type { Readable } from 'node:stream';
import type { RequestContext } from '../platform/context.js';
import { invalid, notFound } from '../platform/errors.js';
import { auditPatients, recordAuditAlone, recordAuditFailure } from '../platform/security/index.js';
import type { BlobKey, LentBytes } from '../platform/storage/index.js';
import type { ArchiveDeps } from './archive-deps.js';
import {
  currentDemographicsKey,
  openCorrected,
  planDemographicsCorrection,
  type DemographicsCorrection,
} from './current-demographics.js';
import {
  findInstanceLocations,
  recordHeaderPatients,
  type InstanceLocation,
  type InstanceSelector,
} from './retrieve-repo.js';

export type { LentBytes };

/** A stored instance as a door sees it: what it is, and a way to read its exact stored bytes. */
export interface RetrievableInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  /** The size of what open() yields: the stored size, or the corrected size when demographics are applied. */
  size: number;
  /**
   * The bytes as received, with the patient's current demographics applied when the stored header differs
   * (see current-demographics.ts). Opened lazily, so a study is streamed one instance at a time.
   */
  open(): Readable;
  /** The data set alone, as DIMSE sends it: what open() yields after the preamble and file meta group. */
  openDataset(): Readable;
  /**
   * What open() yields, in chunks lent from the store's read buffers (no new buffer a file): for streaming
   * to a socket. Release each chunk once the socket has taken its bytes.
   */
  readLent(): AsyncIterableIterator<LentBytes>;
  /** What openDataset() yields, lent likewise. */
  readDatasetLent(): AsyncIterableIterator<LentBytes>;
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
      ...auditPatients(patientIds),
      studyInstanceUid: locations[0]!.studyInstanceUid,
      detail: { ...selector, instances: locations.length },
    });
    const corrections = await planCorrections(deps, locations);
    return locations.map((location, i) => retrievable(deps, location, corrections[i]));
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

/** Headers read at once while planning; each read is one small range of one blob. */
const PLAN_CONCURRENCY = 16;

/**
 * Compares each instance's header with its patient's current demographics before anything is streamed, so that
 * every size is known up front. A file whose header identity, recorded at ingest, equals the patient row's is
 * sent as stored without reading it; only the others' header prefixes are read. Only the (small) differences
 * are kept.
 */
async function planCorrections(
  deps: ArchiveDeps,
  locations: InstanceLocation[],
): Promise<(DemographicsCorrection | undefined)[]> {
  const corrections = new Array<DemographicsCorrection | undefined>(locations.length);
  // One patient row for most retrieves: its key is made once per distinct row.
  const keys = new Map<string, string>();
  const currentKey = (l: InstanceLocation) => {
    const rowKey = `${l.patientId}\u0000${l.issuerOfPatientId}`;
    let key = keys.get(rowKey);
    if (key === undefined) keys.set(rowKey, (key = currentDemographicsKey(l)));
    return key;
  };
  const learnt: { sopInstanceUid: string; blobKey: string; headerPatient: string }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < locations.length) {
      const i = next++;
      const l = locations[i]!;
      if (l.headerPatient !== null && l.headerPatient === currentKey(l)) continue;
      const plan = await planDemographicsCorrection(
        deps.blobs,
        l.blobKey as BlobKey,
        l.size,
        l.pixelDataOffset,
        l,
      );
      corrections[i] = plan.correction;
      if (l.headerPatient === null && plan.headerPatient !== undefined) {
        learnt.push({
          sopInstanceUid: l.sopInstanceUid,
          blobKey: l.blobKey,
          headerPatient: plan.headerPatient,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PLAN_CONCURRENCY, locations.length) }, worker));
  // Files stored before ingest recorded their header identity: remembered now. A retrieve never fails for it.
  await recordHeaderPatients(deps.database, learnt).catch(() => undefined);
  return corrections;
}

function retrievable(
  deps: ArchiveDeps,
  location: InstanceLocation,
  correction: DemographicsCorrection | undefined,
): RetrievableInstance {
  const {
    blobKey,
    patientId: _patientId,
    issuerOfPatientId: _issuer,
    patientName: _name,
    birthDate: _birthDate,
    sex: _sex,
    headerPatient: _headerPatient,
    pixelDataOffset: _pixelDataOffset,
    datasetOffset,
    ...facts
  } = location;
  const key = blobKey as BlobKey;
  const stored = facts.size;
  if (correction) {
    const open = () => openCorrected(deps.blobs, key, stored, correction, 0);
    const openDataset = () => openCorrected(deps.blobs, key, stored, correction, datasetOffset);
    return {
      ...facts,
      size: stored - correction.prefixLength + correction.correctedPrefixLength,
      open,
      openDataset,
      // Rare (the header differs from the patient row): the stream's own buffers, nothing to give back.
      readLent: () => notLent(open()),
      readDatasetLent: () => notLent(openDataset()),
    };
  }
  const whole = { start: 0, end: stored - 1 };
  const dataset = { start: datasetOffset, end: stored - 1 };
  return {
    ...facts,
    // The whole file as a range, so the store reads it in chunks that fit it.
    open: () => deps.blobs.open(key, stored > 0 ? whole : undefined),
    openDataset: () => deps.blobs.open(key, dataset),
    readLent: () => deps.blobs.readLent(key, whole),
    readDatasetLent: () => deps.blobs.readLent(key, dataset),
  };
}

const nothingToGiveBack = () => undefined;

async function* notLent(stream: Readable): AsyncGenerator<LentBytes, void, undefined> {
  for await (const chunk of stream) yield { bytes: chunk as Uint8Array, release: nothingToGiveBack };
}
