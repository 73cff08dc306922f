import type { DicomDataset } from './dataset.js';
import { decodeDataSet, type ValueContext } from './element-values.js';
import { readStructure } from './structure-reader.js';
import { transferSyntax } from './transfer-syntaxes.js';

export interface ReadOptions {
  /** For a bare data set (no file meta): its transfer syntax, instead of guessing it. */
  transferSyntaxUid?: string | undefined;
  /** Upper bound for the inflated size of a deflated data set (default 2 GiB - 1). */
  maxInflatedBytes?: number;
}

/**
 * Reads a whole Part 10 file or bare data set, pixel data and encapsulated fragments included.
 * Throws DicomParseError for input that is not DICOM or is truncated.
 */
export function readDataset(bytes: Uint8Array, options: ReadOptions = {}): DicomDataset {
  const structure = readStructure(bytes, {
    transferSyntaxUid: options.transferSyntaxUid,
    ...(options.maxInflatedBytes === undefined ? {} : { maxInflatedBytes: options.maxInflatedBytes }),
  });
  const syntax = transferSyntax(structure.transferSyntaxUid);
  const context: ValueContext = { littleEndian: !syntax.bigEndian, implicit: syntax.implicitVr, charset: [] };
  const metaContext: ValueContext = { littleEndian: true, implicit: false, charset: [] };
  return {
    transferSyntaxUid: structure.transferSyntaxUid,
    hasFileMeta: structure.hasFileMeta,
    meta: structure.meta ? decodeDataSet(structure.meta, metaContext) : {},
    elements: decodeDataSet(structure.dataset, context),
  };
}
