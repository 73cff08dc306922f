import type { DataSet } from 'dicom-parser';
import { open } from 'node:fs/promises';
import type { Tag } from './dictionary.js';
import { toDicomJson, type DicomJson, type DicomJsonOptions } from './dicom-json.js';
import { TEXT_VRS, type DataElements } from './dataset.js';
import {
  contextFor,
  decodeDataSet,
  decodeElement,
  parserTag,
  resolveVr,
  textValues,
  valueBytes,
  type ValueContext,
} from './element-values.js';
import { DicomParseError } from './errors.js';
import { readStructure, type Structure } from './structure-reader.js';
import { transferSyntax } from './transfer-syntaxes.js';

export interface DicomHeader {
  transferSyntaxUid: string;
  hasFileMeta: boolean;
  sopClassUid?: string | undefined;
  sopInstanceUid?: string | undefined;
  specificCharacterSet: string[];
  /** Offset in the input of the (7FE0,0010) value, when the scan reached it (not for deflated input). */
  pixelDataOffset?: number | undefined;
  /** Length of the (7FE0,0010) value when it is defined (native pixel data); undefined when encapsulated. */
  pixelDataLength?: number | undefined;
  /** Where the data set begins: after the preamble and file meta group, 0 for a bare data set (PS3.10 7.1). */
  datasetOffset: number;
  string(tag: Tag): string | undefined;
  strings(tag: Tag): string[];
  personName(tag: Tag): { alphabetic?: string; ideographic?: string; phonetic?: string } | undefined;
  /**
   * The data set's elements up to the pixel data as DICOM JSON (no file meta). The pixel data, whose value
   * the scan did not read, is present only as a BulkDataURI, when `options.bulkDataUri` gives one.
   */
  toJson(options?: DicomJsonOptions): DicomJson;
}

export interface ScanOptions {
  /** For a bare data set (no file meta): its transfer syntax, instead of guessing it. */
  transferSyntaxUid?: string | undefined;
}

function valueStrings(dataset: DataSet, tag: Tag, context: ValueContext): string[] {
  const element = dataset.elements[parserTag(tag)];
  if (!element) return [];
  const vr = resolveVr(element, context);
  // Text is returned as decoded (a PN keeps its '=' groups); numbers and AT as their decimal/hex text.
  if (TEXT_VRS.has(vr)) return textValues(valueBytes(dataset, element), vr, context.charset);
  return (decodeElement(dataset, element, context).Value ?? []).flatMap((v) =>
    typeof v === 'number' || typeof v === 'string' ? [String(v)] : [],
  );
}

class ScannedHeader implements DicomHeader {
  readonly transferSyntaxUid: string;
  readonly hasFileMeta: boolean;
  readonly specificCharacterSet: string[];
  readonly pixelDataOffset: number | undefined;
  readonly pixelDataLength: number | undefined;
  readonly datasetOffset: number;
  readonly sopClassUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
  readonly #structure: Structure;
  readonly #context: ValueContext;
  readonly #metaContext: ValueContext = { littleEndian: true, implicit: false, charset: [] };

  constructor(structure: Structure) {
    this.#structure = structure;
    const syntax = transferSyntax(structure.transferSyntaxUid);
    const base: ValueContext = { littleEndian: !syntax.bigEndian, implicit: syntax.implicitVr, charset: [] };
    this.#context = contextFor(structure.dataset, base);
    this.transferSyntaxUid = structure.transferSyntaxUid;
    this.hasFileMeta = structure.hasFileMeta;
    this.specificCharacterSet = this.#context.charset;
    const stopped = structure.stoppedAt;
    this.pixelDataOffset =
      stopped && structure.datasetOffset !== undefined
        ? stopped.dataOffset + structure.datasetOffset
        : undefined;
    this.pixelDataLength =
      stopped && !stopped.hadUndefinedLength && stopped.length !== 0xffffffff ? stopped.length : undefined;
    this.datasetOffset = structure.datasetStart;
    this.sopClassUid = this.string('00080016') ?? this.string('00020002');
    this.sopInstanceUid = this.string('00080018') ?? this.string('00020003');
  }

  strings(tag: Tag): string[] {
    const upper = tag.toUpperCase();
    if (upper.startsWith('0002')) {
      const meta = this.#structure.meta;
      return meta ? valueStrings(meta, upper, this.#metaContext) : [];
    }
    if (upper === '7FE00010') return [];
    return valueStrings(this.#structure.dataset, upper, this.#context);
  }

  string(tag: Tag): string | undefined {
    const value = this.strings(tag)[0];
    return value === undefined || value === '' ? undefined : value;
  }

  personName(tag: Tag): { alphabetic?: string; ideographic?: string; phonetic?: string } | undefined {
    const value = this.string(tag);
    if (value === undefined) return undefined;
    const [alphabetic, ideographic, phonetic] = value.split('=');
    return {
      ...(alphabetic ? { alphabetic } : {}),
      ...(ideographic ? { ideographic } : {}),
      ...(phonetic ? { phonetic } : {}),
    };
  }

  toJson(options: DicomJsonOptions = {}): DicomJson {
    const { meta, dataset, stoppedAt } = this.#structure;
    const metaElements: DataElements =
      meta && options.includeMeta ? decodeDataSet(meta, this.#metaContext) : {};
    const elements = decodeDataSet(dataset, this.#context);
    if (stoppedAt) delete elements['7FE00010'];
    const { transferSyntaxUid, hasFileMeta } = this;
    const json = toDicomJson({ transferSyntaxUid, hasFileMeta, meta: metaElements, elements }, options);
    const uri = stoppedAt ? options.bulkDataUri?.(['7FE00010']) : undefined;
    if (stoppedAt && uri !== undefined) {
      json['7FE00010'] = { vr: resolveVr(stoppedAt, this.#context), BulkDataURI: uri };
    }
    return json;
  }
}

/** Reads the file meta and the data set up to, not into, the pixel data (PS3.10 7.1, PS3.5 7.1). */
export function scanHeader(bytes: Uint8Array, options: ScanOptions = {}): DicomHeader {
  return new ScannedHeader(
    readStructure(bytes, { transferSyntaxUid: options.transferSyntaxUid, untilPixelData: true }),
  );
}

const FIRST_READ = 64 * 1024;
/** A header larger than this is not plausible; refuse rather than read a whole huge non-image file. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/**
 * scanHeader on the first bytes of a file of `totalSize` bytes: the header when the prefix holds all of it,
 * undefined when more bytes are needed. A prefix that parses cleanly may still end between two elements,
 * so only reaching the pixel data or the end of the file is final.
 */
export function scanHeaderPrefix(
  prefix: Uint8Array,
  totalSize: number,
  options: ScanOptions = {},
): DicomHeader | undefined {
  const complete = prefix.length >= totalSize;
  try {
    const header = scanHeader(prefix, options);
    return complete || header.pixelDataOffset !== undefined ? header : undefined;
  } catch (error) {
    if (!(error instanceof DicomParseError) || !error.truncated || complete) throw error;
    return undefined;
  }
}

/**
 * scanHeader on a file, reading only a prefix: 64 KiB first, doubled while the pixel data has not been
 * reached and the prefix ended inside the header.
 */
export async function scanHeaderFile(path: string, options: ScanOptions = {}): Promise<DicomHeader> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    let length = Math.min(size, FIRST_READ);
    let buffer = Buffer.alloc(0);
    for (;;) {
      const next = Buffer.alloc(length);
      buffer.copy(next);
      const { bytesRead } = await handle.read(next, buffer.length, length - buffer.length, buffer.length);
      buffer = next.subarray(0, buffer.length + bytesRead);
      const header = scanHeaderPrefix(buffer, size, options);
      if (header) return header;
      if (length >= MAX_HEADER_BYTES) {
        throw new DicomParseError(`header larger than ${MAX_HEADER_BYTES} bytes (pixel data not found)`);
      }
      length = Math.min(size, length * 2, MAX_HEADER_BYTES);
    }
  } finally {
    await handle.close();
  }
}
