import type { DataElements } from './dataset.js';
import { writePart10 } from './part10-writer.js';
import { EXPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntaxes.js';

/**
 * A bare data set (no preamble, no file meta) in the given transfer syntax, as DIMSE carries identifiers
 * and responses (PS3.7 6.3.1). Text outside ASCII is written as UTF-8 under ISO_IR 192, like writePart10.
 */
export function encodeDataset(elements: DataElements, transferSyntaxUid: string): Uint8Array {
  const file = writePart10(
    { transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN, hasFileMeta: false, meta: {}, elements },
    { transferSyntaxUid },
  );
  const view = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  return file.subarray(144 + view.readUInt32LE(140));
}
