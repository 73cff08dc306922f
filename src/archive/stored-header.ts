import { buffer } from 'node:stream/consumers';
import {
  DicomParseError,
  readDataset,
  scanHeaderPrefix,
  type DicomDataset,
  type DicomHeader,
} from '../lib/dicom/index.js';
import type { BlobKey, BlobStore } from '../platform/storage/index.js';

const FIRST_READ = 64 * 1024;
/** A header larger than this is not plausible (the same bound as lib/dicom's scanHeaderFile). */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/**
 * The header of a stored file, read from a prefix of its blob: `headerLength` bytes when the index knows
 * where the pixel data begins (so one read suffices), else 64 KiB, doubled until the scan reaches the pixel
 * data or the end of the file.
 */
export async function readStoredHeader(
  blobs: BlobStore,
  key: BlobKey,
  size: number,
  headerLength?: number | null,
): Promise<DicomHeader> {
  let length = Math.min(size, headerLength ? headerLength : FIRST_READ);
  for (;;) {
    const prefix = await buffer(blobs.open(key, { start: 0, end: length - 1 }));
    const header = scanHeaderPrefix(prefix, size);
    if (header) return header;
    if (length >= MAX_HEADER_BYTES) {
      throw new DicomParseError(`header larger than ${MAX_HEADER_BYTES} bytes (pixel data not found)`);
    }
    length = Math.min(size, Math.max(length * 2, FIRST_READ), MAX_HEADER_BYTES);
  }
}

/** The whole stored file, read in full: for the rare values a header scan cannot reach. One instance only. */
export async function readStoredDataset(blobs: BlobStore, key: BlobKey): Promise<DicomDataset> {
  return readDataset(await buffer(blobs.open(key)));
}
