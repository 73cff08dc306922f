import { isDeflated, type DicomHeader, type DicomJsonOptions } from '../lib/dicom/index.js';

// What the header worker needs of the metadata JSON, apart from instance-metadata.ts and its imports (the
// database, storage and security modules), so that the worker loads only lib/dicom.

/** Binary values this large or larger are bulk data (PS3.18 8.6.1.2: the origin server chooses). */
export const BULK_DATA_THRESHOLD = 1024;

export const JSON_OPTIONS: DicomJsonOptions = {
  bulkDataUri: (path) => (path.length === 1 ? path[0] : undefined),
  bulkDataThreshold: BULK_DATA_THRESHOLD,
};

/**
 * At ingest, from the header already scanned: the metadata JSON, when the header holds the whole data set
 * as computeMetadata would read it (no pixel data, or native pixel data that ends the file). Otherwise
 * undefined, and the first request (or the MetadataWarmer) computes it from the stored file.
 */
export function metadataAtIngest(header: DicomHeader, size: number): string | undefined {
  if (isDeflated(header.transferSyntaxUid)) return undefined;
  const { pixelDataOffset, pixelDataLength } = header;
  const complete =
    pixelDataOffset === undefined ||
    (pixelDataLength !== undefined && pixelDataOffset + pixelDataLength === size);
  return complete ? JSON.stringify(header.toJson(JSON_OPTIONS)) : undefined;
}
