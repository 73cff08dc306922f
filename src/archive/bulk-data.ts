import { Readable } from 'node:stream';
import { isBigEndian, type DicomJson } from '../lib/dicom/index.js';
import type { RequestContext } from '../platform/context.js';
import { invalid, notFound } from '../platform/errors.js';
import { recordAuditAlone, recordAuditFailure } from '../platform/security/index.js';
import type { BlobKey } from '../platform/storage/index.js';
import type { ArchiveDeps } from './archive-deps.js';
import { encapsulatedFragments } from './encapsulated-fragments.js';
import { notFoundFor } from './instance-metadata.js';
import { findStoredInstances, type StoredInstance } from './metadata-repo.js';
import type { InstanceSelector } from './retrieve-repo.js';
import { readStoredDataset, readStoredHeader } from './stored-header.js';

export interface BulkDataRequest extends InstanceSelector {
  sopInstanceUid: string;
  /** The top-level attribute, as its tag ('7FE00010'): what instance-metadata.ts puts in BulkDataURI. */
  tag: string;
}

export interface BulkData {
  /** The stored file's transfer syntax: the value is as stored, except that big endian becomes little. */
  transferSyntaxUid: string;
  /**
   * The value bytes (PS3.18 8.4.1.1): native values little endian, encapsulated pixel data as its fragment
   * values concatenated (the Basic Offset Table left out).
   */
  open(): Readable;
}

const TAG = /^[0-9A-F]{8}$/;
const PIXEL_DATA = '7FE00010';

/**
 * One binary value of a stored instance (WADO-RS RetrieveBulkdata). Pixel data streams from the file at
 * the offset its header gives; other values come from the header. Only deflated or big-endian pixel data,
 * or values stored after the pixel data, need the whole instance read.
 */
export async function retrieveBulkData(
  deps: ArchiveDeps,
  ctx: RequestContext,
  request: BulkDataRequest,
): Promise<BulkData> {
  const { tag: rawTag, ...selector } = request;
  const tag = rawTag.toUpperCase();
  const audit = {
    action: 'instance.bulkdata',
    studyInstanceUid: selector.studyInstanceUid,
    detail: { ...selector, tag },
  };
  try {
    if (!TAG.test(tag)) throw invalid(`bulk data is named by a tag (GGGGEEEE), not '${rawTag}'`);
    const [instance] = await findStoredInstances(deps.database, selector);
    if (!instance) throw notFoundFor(selector);
    const open = await bulkValue(deps, instance, tag);
    await recordAuditAlone(deps.database, ctx, { ...audit, patientId: instance.patientId });
    return { transferSyntaxUid: instance.transferSyntaxUid, open };
  } catch (error) {
    await recordAuditFailure(deps.database, ctx, audit, error);
    throw error;
  }
}

async function bulkValue(deps: ArchiveDeps, instance: StoredInstance, tag: string): Promise<() => Readable> {
  const key = instance.blobKey as BlobKey;
  const header = await readStoredHeader(deps.blobs, key, instance.size, instance.pixelDataOffset);
  const { pixelDataOffset: offset, pixelDataLength: length } = header;
  if (tag === PIXEL_DATA && offset !== undefined && !isBigEndian(header.transferSyntaxUid)) {
    if (length !== undefined) return () => deps.blobs.open(key, { start: offset, end: offset + length - 1 });
    return () => encapsulatedFragments(deps.blobs.open(key, { start: offset, end: instance.size - 1 }));
  }
  // Values before the pixel data are in the header, decoded to little endian.
  const fromHeader = binaryOf(header.toJson(), tag);
  if (fromHeader) return () => Readable.from([fromHeader]);
  const dataset = await readStoredDataset(deps.blobs, key);
  const element = dataset.elements[tag];
  const value = element?.fragments ? Buffer.concat(element.fragments) : element?.bytes;
  if (!value) throw notFound('bulk data', `${tag} of instance ${instance.sopInstanceUid}`);
  return () => Readable.from([value]);
}

function binaryOf(json: DicomJson, tag: string): Buffer | undefined {
  const inline = json[tag]?.InlineBinary;
  return inline === undefined ? undefined : Buffer.from(inline, 'base64');
}
