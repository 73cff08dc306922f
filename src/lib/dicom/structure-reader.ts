import dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { dictionaryVr } from './dictionary.js';
import { DicomParseError } from './errors.js';
import { isValidUid } from './uid.js';
import {
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  transferSyntax,
} from './transfer-syntaxes.js';

/**
 * Locates elements with dicom-parser (lazy: offsets into the caller's bytes, no value copies) and turns its
 * string exceptions and end-of-buffer warnings into DicomParseError. Value decoding is element-values.ts.
 */
export interface Structure {
  meta: DataSet | undefined;
  dataset: DataSet;
  transferSyntaxUid: string;
  hasFileMeta: boolean;
  /** Added to a dataset offset to get an offset in the input; undefined when the data set was inflated. */
  datasetOffset: number | undefined;
  /** Offset of the meta group's first element in the input (132 for a Part 10 file). */
  metaOffset: number;
  /** Offset in the input where the (possibly deflated) data set begins, right after the meta group. */
  datasetStart: number;
  /** The (7FE0,0010) element when parsing stopped there (untilPixelData). */
  stoppedAt: Element | undefined;
}

export interface StructureOptions {
  transferSyntaxUid?: string | undefined;
  untilPixelData?: boolean;
  /** Cap on the inflated size of a deflated data set, so a zip bomb cannot exhaust memory. */
  maxInflatedBytes?: number;
}

const PIXEL_DATA = 'x7fe00010';
const VR_CODES = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  ),
);

function hasPreamble(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d
  );
}

function vrAt(bytes: Uint8Array, offset: number): string | undefined {
  if (offset + 2 > bytes.length) return undefined;
  const vr = String.fromCharCode(bytes[offset]!, bytes[offset + 1]!);
  return VR_CODES.has(vr) ? vr : undefined;
}

/**
 * A bare data set carries no transfer syntax (PS3.10 7.1 puts it in the file meta), so guess from its first
 * element: a VR code after the tag means explicit VR, and the byte order that gives the smaller group number
 * is the plausible one (groups start low: 0002, 0008). Without a VR code it must be Implicit VR Little Endian,
 * the only implicit syntax (PS3.5 A.1), and the first tag must be one the dictionary knows.
 */
export function guessTransferSyntax(bytes: Uint8Array, afterMeta = false): string | undefined {
  if (bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const groupLe = view.getUint16(0, true);
  const groupBe = view.getUint16(0, false);
  if (vrAt(bytes, 4)) return groupBe < groupLe ? EXPLICIT_VR_BIG_ENDIAN : EXPLICIT_VR_LITTLE_ENDIAN;
  const tag = (
    groupLe.toString(16).padStart(4, '0') + view.getUint16(2, true).toString(16).padStart(4, '0')
  ).toUpperCase();
  const length = view.getUint32(4, true);
  const fits = length === 0xffffffff || length <= bytes.length - 8;
  // After a file meta group the input is known to be DICOM, so any tag with a plausible length will do.
  if (fits && (afterMeta || ((groupLe & 1) === 0 && dictionaryVr(tag) !== undefined)))
    return IMPLICIT_VR_LITTLE_ENDIAN;
  return undefined;
}

function describe(e: unknown): string {
  const inner =
    typeof e === 'object' && e !== null && 'exception' in e ? (e as { exception: unknown }).exception : e;
  return inner instanceof Error ? inner.message : String(inner);
}

const TRUNCATION = /past end|overrun|overread|eof |maxP ?osition|greater than or equal|unexpected end/i;

function toParseError(e: unknown, where: string, end: number): DicomParseError {
  if (e instanceof DicomParseError) return e;
  const message = describe(e);
  if (TRUNCATION.test(message)) return DicomParseError.truncatedAt(end, `${where} (${message})`);
  return new DicomParseError(`corrupt ${where}: ${message}`, { cause: e });
}

function readMeta(bytes: Uint8Array): { meta: DataSet; end: number; shift: number } {
  // A meta group without the 128-byte preamble and "DICM" (seen from some writers) is read by
  // giving dicom-parser the preamble it expects; offsets are shifted back afterwards.
  const shift = hasPreamble(bytes) ? 0 : 132;
  // dicom-parser reads every element below group 0003 as meta; the group length (PS3.10 7.1) bounds it.
  const start = 132 - shift;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hasGroupLength =
    bytes.length >= start + 12 &&
    view.getUint32(start, true) === 0x00000002 &&
    vrAt(bytes, start + 4) === 'UL';
  const groupEnd = hasGroupLength ? start + 12 + view.getUint32(start + 8, true) : bytes.length;
  let input = bytes.subarray(0, Math.min(groupEnd, bytes.length));
  if (shift) {
    const padded = new Uint8Array(input.length + 132);
    padded.set([0x44, 0x49, 0x43, 0x4d], 128);
    padded.set(input, 132);
    input = padded;
  }
  try {
    const meta = dicomParser.readPart10Header(input as Buffer) as DataSet & { position: number };
    for (const element of Object.values(meta.elements)) {
      if (element.dataOffset + element.length > input.length) {
        throw DicomParseError.truncatedAt(input.length - shift, `file meta element ${element.tag.slice(1)}`);
      }
    }
    return { meta, end: meta.position - shift, shift };
  } catch (e) {
    throw toParseError(e, 'file meta information', bytes.length);
  }
}

function metaString(meta: DataSet, tag: string): string | undefined {
  const value = meta.string(tag);
  return value === undefined ? undefined : value.replace(/[\0 ]+$/, '').trim() || undefined;
}

function inflater(maxOutputLength: number) {
  return (input: Uint8Array, position: number | undefined): Buffer => {
    const deflated = input.subarray(position ?? 0);
    try {
      // Z_SYNC_FLUSH lets a prefix of the stream inflate to what it holds (header scans read prefixes).
      return inflateRawSync(deflated, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength });
    } catch (e) {
      throw new DicomParseError(`corrupt deflated data set: ${describe(e)}`, { cause: e });
    }
  };
}

/** The dictionary VR for implicit data sets, with 'xs'/'ox'/'lt' passed through for element-values.ts. */
export function implicitVr(tag: string): string | undefined {
  const vr = dictionaryVr(tag.slice(1));
  return vr === 'UN' ? undefined : vr;
}

/**
 * An element sent as UN whose tag the dictionary knows as SQ holds an Implicit VR Little Endian sequence
 * (PS3.5 6.2.2); dicom-parser leaves a defined-length one as bytes. Its items are read here, so the element
 * decodes as the sequence it is; bytes that are not a well-formed sequence stay UN.
 */
function readUnSequences(dataset: DataSet): void {
  for (const element of Object.values(dataset.elements)) {
    if (element.items) {
      for (const item of element.items) if (item.dataSet) readUnSequences(item.dataSet);
      continue;
    }
    if (element.vr !== 'UN' || element.hadUndefinedLength || element.length === 0xffffffff) continue;
    if (dictionaryVr(element.tag.slice(1)) !== 'SQ') continue;
    const end = element.dataOffset + element.length;
    if (end > dataset.byteArray.length) continue;
    const stream = new dicomParser.ByteStream(
      dicomParser.littleEndianByteArrayParser,
      dataset.byteArray,
      element.dataOffset,
    );
    try {
      const sequence: Element = element;
      dicomParser.readSequenceItemsImplicit(stream, sequence, implicitVr as (tag: string) => string);
      if (stream.position !== end) throw new Error('items do not fill the value');
      for (const item of sequence.items ?? []) if (item.dataSet) readUnSequences(item.dataSet);
    } catch {
      delete element.items;
    }
  }
}

export function checkBounds(dataset: DataSet, base: number | undefined, stoppedAt?: Element): void {
  const end = dataset.byteArray.length;
  const fail = (offset: number, what: string): never => {
    throw DicomParseError.truncatedAt(base === undefined ? offset : offset + base, what);
  };
  for (const warning of dataset.warnings ?? []) if (/^eof/.test(warning)) fail(end, warning);
  for (const element of Object.values(dataset.elements)) {
    if (element === stoppedAt) continue;
    const name = `element (${element.tag.slice(1, 5)},${element.tag.slice(5)})`;
    if (element.dataOffset > end || element.dataOffset + element.length > end)
      fail(end, `${name} extends past the end`);
    for (const fragment of element.fragments ?? []) {
      if (fragment.position + fragment.length > end) fail(end, `a fragment of ${name} extends past the end`);
    }
    for (const item of element.items ?? []) if (item.dataSet) checkBounds(item.dataSet, base);
  }
}

export function readStructure(bytes: Uint8Array, options: StructureOptions = {}): Structure {
  if (bytes.length === 0) throw new DicomParseError('not a DICOM file: empty input');
  const startsWithMeta =
    bytes.length >= 6 && bytes[0] === 0x02 && bytes[1] === 0x00 && vrAt(bytes, 4) !== undefined;
  let meta: DataSet | undefined;
  let datasetStart = 0;
  let metaOffset = 0;
  let declared: string | undefined;
  if (hasPreamble(bytes) || startsWithMeta) {
    const read = readMeta(bytes);
    meta = read.meta;
    datasetStart = read.end;
    metaOffset = hasPreamble(bytes) ? 132 : 0;
    declared = metaString(meta, 'x00020010');
  } else if (bytes.length < 8) {
    throw new DicomParseError(`not a DICOM file: only ${bytes.length} bytes`);
  }
  const body = bytes.subarray(datasetStart);
  const transferSyntaxUid =
    declared ?? options.transferSyntaxUid ?? guessTransferSyntax(body, meta !== undefined);
  if (transferSyntaxUid === undefined) {
    throw new DicomParseError(
      meta ? 'not a DICOM file: no transfer syntax and the data set is not recognisable' : 'not a DICOM file',
    );
  }
  if (!isValidUid(transferSyntaxUid))
    throw new DicomParseError(`unsupported transfer syntax ${transferSyntaxUid}`);
  const syntax = transferSyntax(transferSyntaxUid);
  let dataset: DataSet;
  if (body.length === 0) {
    dataset = { byteArray: body, elements: {}, warnings: [] } as unknown as DataSet;
  } else {
    try {
      dataset = dicomParser.parseDicom(body, {
        TransferSyntaxUID: syntax.deflated ? '1.2.840.10008.1.2.1.99' : transferSyntaxUid,
        ...(options.untilPixelData ? { untilTag: PIXEL_DATA } : {}),
        vrCallback: implicitVr,
        inflater: inflater(options.maxInflatedBytes ?? 2 ** 31 - 1),
      } as dicomParser.ParseDicomOptions);
    } catch (e) {
      throw toParseError(e, 'data set', syntax.deflated ? 0 : bytes.length);
    }
  }
  // parseDicom merges its stand-in meta element (the transfer syntax it was given) into the data set.
  if (dataset.elements.x00020010?.dataOffset === undefined) delete dataset.elements.x00020010;
  const datasetOffset = syntax.deflated ? undefined : datasetStart;
  const stoppedAt = options.untilPixelData ? dataset.elements[PIXEL_DATA] : undefined;
  if (!syntax.bigEndian) readUnSequences(dataset);
  checkBounds(dataset, datasetOffset, stoppedAt);
  return {
    meta,
    dataset,
    transferSyntaxUid,
    hasFileMeta: meta !== undefined,
    datasetOffset,
    metaOffset,
    datasetStart,
    stoppedAt,
  };
}
