import { buffer } from 'node:stream/consumers';
import { toDicomJson } from '../lib/dicom/index.js';
import type { RequestContext } from '../platform/context.js';
import { notFound } from '../platform/errors.js';
import { auditPatients, recordAuditAlone, recordAuditFailure } from '../platform/security/index.js';
import type { BlobKey } from '../platform/storage/index.js';
import type { ArchiveDeps } from './archive-deps.js';
import { elementsFollowEncapsulated } from './encapsulated-fragments.js';
import { cachedMetadata, findStoredInstances, saveMetadata, type StoredInstance } from './metadata-repo.js';
import type { InstanceSelector } from './retrieve-repo.js';
import { JSON_OPTIONS } from './metadata-json.js';
import { readStoredDataset, readStoredHeader } from './stored-header.js';

export { BULK_DATA_THRESHOLD, metadataAtIngest } from './metadata-json.js';

/** One instance's metadata: DICOM JSON (PS3.18 F.2) as text, ready to be written out. */
export interface InstanceMetadata {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /**
   * A DICOM JSON object. Top-level binary values of at least BULK_DATA_THRESHOLD bytes, and the pixel data,
   * carry a BulkDataURI that is the attribute's tag alone ("7FE00010"): the door that serves them turns it
   * into its own URL. Binary values inside sequences are InlineBinary.
   */
  json: string;
}

export interface MetadataRetrieval {
  count: number;
  /** In series and instance order; each instance's JSON is read from the cache or computed once. */
  instances: AsyncIterable<InstanceMetadata>;
}

/** Instances looked up (and cached) per round trip to the database. */
const BATCH = 256;
/** Files whose headers are read at once when computing metadata that is not cached yet. */
const READ_CONCURRENCY = 8;

/**
 * The metadata of a study, series or instance (WADO-RS RetrieveMetadata, PS3.18 10.4). Built from the
 * header up to the pixel data, never from the pixel data, and cached by content hash in `instance_metadata`
 * on first request, so repeated requests read one row per instance.
 */
export async function retrieveMetadata(
  deps: ArchiveDeps,
  ctx: RequestContext,
  selector: InstanceSelector,
): Promise<MetadataRetrieval> {
  const audit = {
    action: 'instances.metadata',
    studyInstanceUid: selector.studyInstanceUid,
    detail: { ...selector },
  };
  try {
    const stored = await findStoredInstances(deps.database, selector);
    if (stored.length === 0) throw notFoundFor(selector);
    await recordAuditAlone(deps.database, ctx, {
      ...audit,
      ...auditPatients(stored.map((s) => s.patientId)),
      detail: { ...selector, instances: stored.length },
    });
    return { count: stored.length, instances: metadataOf(deps, stored) };
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

export function notFoundFor(selector: InstanceSelector) {
  if (selector.sopInstanceUid) return notFound('instance', selector.sopInstanceUid);
  if (selector.seriesInstanceUid) return notFound('series', selector.seriesInstanceUid);
  return notFound('study', selector.studyInstanceUid ?? '');
}

async function* metadataOf(deps: ArchiveDeps, stored: StoredInstance[]): AsyncGenerator<InstanceMetadata> {
  for (let start = 0; start < stored.length; start += BATCH) {
    const batch = stored.slice(start, start + BATCH);
    const cached = await cachedMetadata(
      deps.database,
      batch.map((s) => s.blobKey),
    );
    const missing = [
      ...new Map(batch.filter((s) => !cached.has(s.blobKey)).map((s) => [s.blobKey, s])).values(),
    ];
    const computed: { blobKey: string; json: string }[] = [];
    for (let i = 0; i < missing.length; i += READ_CONCURRENCY) {
      const group = missing.slice(i, i + READ_CONCURRENCY);
      const jsons = await Promise.all(group.map((s) => computeMetadata(deps, s)));
      group.forEach((s, j) => {
        cached.set(s.blobKey, jsons[j]!);
        computed.push({ blobKey: s.blobKey, json: jsons[j]! });
      });
    }
    await saveMetadata(deps.database, computed);
    for (const s of batch) {
      yield {
        studyInstanceUid: s.studyInstanceUid,
        seriesInstanceUid: s.seriesInstanceUid,
        sopInstanceUid: s.sopInstanceUid,
        json: cached.get(s.blobKey)!,
      };
    }
  }
}

/** The metadata JSON of one stored file, from its header (and only past the pixel data when elements follow it). */
export async function computeMetadata(
  deps: ArchiveDeps,
  instance: Pick<StoredInstance, 'blobKey' | 'size' | 'pixelDataOffset'>,
): Promise<string> {
  const key = instance.blobKey as BlobKey;
  const header = await readStoredHeader(deps.blobs, key, instance.size, instance.pixelDataOffset);
  const { pixelDataOffset, pixelDataLength } = header;
  // Elements after the pixel data (trailing padding, private groups, signatures) are past the header: then
  // the file is read in full.
  const readAt = (start: number, length: number) =>
    buffer(deps.blobs.open(key, { start, end: Math.min(start + length, instance.size) - 1 }));
  const trailing =
    pixelDataOffset !== undefined &&
    (pixelDataLength !== undefined
      ? pixelDataOffset + pixelDataLength < instance.size
      : await elementsFollowEncapsulated(readAt, pixelDataOffset, instance.size));
  const json = trailing
    ? toDicomJson(await readStoredDataset(deps.blobs, key), JSON_OPTIONS)
    : header.toJson(JSON_OPTIONS);
  return JSON.stringify(json);
}
