import { DicomParseError, scanHeader } from '../lib/dicom/index.js';
import { readInstanceAttributes, type InstanceAttributes } from './instance-attributes.js';
import { metadataAtIngest } from './metadata-json.js';

export interface HeaderFacts {
  attributes: InstanceAttributes;
  /** The WADO-RS metadata when the header holds the whole data set (see metadataAtIngest). */
  metadata: string | undefined;
}

/**
 * What the first bytes of an instance tell: its facts (valid for a file of `assumedSize` bytes, or of any
 * size when that is undefined), `truncated` when the header goes on past these bytes, or `none` when the
 * bytes give nothing usable here (no pixel data, not DICOM, an attribute the index refuses): the scan after
 * staging then decides, and reports the error.
 */
export type HeaderReading =
  | { kind: 'facts'; facts: HeaderFacts; assumedSize: number | undefined }
  | { kind: 'truncated' }
  | { kind: 'none' };

/** Plain data in, plain data out: runs on the header worker (header-facts-worker.ts) or, failing that, here. */
export function readHeaderFacts(prefix: Uint8Array, transferSyntaxUid: string | undefined): HeaderReading {
  try {
    const header = scanHeader(prefix, { transferSyntaxUid });
    if (header.pixelDataOffset === undefined) return { kind: 'truncated' }; // not yet at the pixel data, or none
    const { pixelDataOffset, pixelDataLength } = header;
    const assumedSize = pixelDataLength === undefined ? undefined : pixelDataOffset + pixelDataLength;
    // Without a defined pixel data length neither result depends on the size.
    const size = assumedSize ?? Number.MAX_SAFE_INTEGER;
    const facts = { attributes: readInstanceAttributes(header, size), metadata: metadata(header, size) };
    return { kind: 'facts', facts, assumedSize };
  } catch (error) {
    return error instanceof DicomParseError && error.truncated ? { kind: 'truncated' } : { kind: 'none' };
  }
}

function metadata(header: Parameters<typeof metadataAtIngest>[0], size: number): string | undefined {
  try {
    return metadataAtIngest(header, size);
  } catch {
    return undefined;
  }
}
