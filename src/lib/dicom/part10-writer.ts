import type { DcmjsDict, DcmjsElement } from 'dcmjs';
import { dcmjs } from './dcmjs-library.js';
import { SWAP_SIZES, type DataElement, type DataElements, type DicomDataset } from './dataset.js';
import { EXPLICIT_VR_LITTLE_ENDIAN, transferSyntax } from './transfer-syntaxes.js';
import { toLittleEndian } from './element-values.js';
import { maxCharCode } from './character-sets.js';
import { deflateRawSync } from 'node:zlib';

export interface WriteOptions {
  /**
   * Transfer syntax to write; default: the data set's own. Only the byte order and VR encoding can change
   * (native <-> native); there is no pixel transcoding. Deflated input is written Explicit VR Little Endian
   * unless deflate is asked for explicitly (dcmjs writes a deflate-declared file with a plain body).
   */
  transferSyntaxUid?: string;
  /** (0002,0012) and (0002,0013); defaults identify this library, not the original writer (PS3.10 7.1). */
  implementationClassUid?: string;
  implementationVersionName?: string;
}

/** A fixed UUID-derived UID (PS3.5 B.2) naming this implementation in file meta written by it. */
export const IMPLEMENTATION_CLASS_UID = '2.25.255723640373466612271298431779212474390';
export const IMPLEMENTATION_VERSION_NAME = 'TSDICOM_1';

function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Frames of encapsulated pixel data (PS3.5 A.4): split by the Basic Offset Table when there is one,
 * one fragment per frame when the counts match, otherwise all fragments are one frame.
 */
export function framesOf(element: DataElement, numberOfFrames: number): Uint8Array[] {
  const fragments = element.fragments ?? [];
  const table = element.basicOffsetTable ?? [];
  if (table.length > 0) {
    const frames: Uint8Array[][] = table.map(() => []);
    let offset = 0;
    for (const fragment of fragments) {
      let index = 0;
      while (index + 1 < table.length && table[index + 1]! <= offset) index++;
      frames[index]!.push(fragment);
      offset += fragment.length + 8; // the item tag and length precede each fragment
    }
    return frames.map((parts) => Buffer.concat(parts));
  }
  if (fragments.length === numberOfFrames || numberOfFrames <= 1) {
    return numberOfFrames <= 1 && fragments.length > 1 ? [Buffer.concat(fragments)] : fragments;
  }
  return [Buffer.concat(fragments)];
}

function numberOfFrames(elements: DataElements): number {
  const value = elements['00280008']?.Value?.[0];
  const n = typeof value === 'number' ? value : parseInt(String(value ?? '1'), 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

function toDcmjs(elements: DataElements, bigEndian: boolean, utf8: boolean): DcmjsDict {
  const out: DcmjsDict = {};
  for (const [tag, element] of Object.entries(elements)) {
    if (tag.endsWith('0000') && !tag.startsWith('0002')) continue; // group lengths are retired (PS3.5 7.2)
    const { vr } = element;
    let converted: DcmjsElement;
    if (element.fragments) {
      converted = { vr, Value: framesOf(element, numberOfFrames(elements)).map(arrayBuffer) };
    } else if (element.bytes) {
      // dcmjs copies binary values unchanged; the model holds them little endian (PS3.5 7.3).
      const bytes = bigEndian && SWAP_SIZES[vr] ? toLittleEndian(element.bytes, vr) : element.bytes;
      converted = { vr, Value: [arrayBuffer(bytes)] };
    } else if (vr === 'SQ') {
      converted = {
        vr,
        Value: (element.Value ?? []).map((item) => toDcmjs(item as DataElements, bigEndian, utf8)),
      };
    } else if (vr === 'AT') {
      converted = { vr, Value: (element.Value ?? []).map((v) => parseInt(String(v), 16)) };
    } else {
      converted = { vr, Value: (element.Value ?? []).map((v) => (v === null ? '' : v)) };
    }
    if (tag === '00080005' && utf8) converted = { vr, Value: ['ISO_IR 192'] };
    out[tag] = converted;
  }
  return out;
}

/** dcmjs encodes all text as UTF-8, so any data set with non-ASCII text must declare ISO_IR 192. */
function hasNonAsciiText(elements: DataElements): boolean {
  for (const element of Object.values(elements)) {
    for (const value of element.Value ?? []) {
      if (typeof value === 'string' && maxCharCode(value) > 0x7f) return true;
      if (value && typeof value === 'object') {
        const nested = element.vr === 'SQ' ? hasNonAsciiText(value as DataElements) : false;
        if (nested || Object.values(value).some((v) => typeof v === 'string' && maxCharCode(v) > 0x7f))
          return true;
      }
    }
  }
  return false;
}

function uidOf(elements: DataElements, tag: string): string | undefined {
  const value = elements[tag]?.Value?.[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Writes a Part 10 file (PS3.10 7.1): preamble, "DICM", file meta rebuilt from the data set, then the data set.
 * Encapsulated pixel data is written one fragment per frame with a Basic Offset Table.
 */
export function writePart10(dataset: DicomDataset, options: WriteOptions = {}): Uint8Array {
  const source = transferSyntax(dataset.transferSyntaxUid);
  let target = options.transferSyntaxUid ?? dataset.transferSyntaxUid;
  if (options.transferSyntaxUid === undefined && source.deflated) target = EXPLICIT_VR_LITTLE_ENDIAN;
  const syntax = transferSyntax(target);
  const hasFragments = Object.values(dataset.elements).some((e) => e.fragments);
  if (hasFragments !== syntax.encapsulated && dataset.elements['7FE00010']) {
    throw new Error(`cannot write ${dataset.transferSyntaxUid} pixel data as ${target}: no transcoding`);
  }
  const utf8 = hasNonAsciiText(dataset.elements);
  const elements = toDcmjs(dataset.elements, syntax.bigEndian, utf8);
  if (utf8 && !elements['00080005']) elements['00080005'] = { vr: 'CS', Value: ['ISO_IR 192'] };
  const meta = toDcmjs(dataset.meta, false, false);
  delete meta['00020000'];
  const sopClass = uidOf(dataset.elements, '00080016') ?? uidOf(dataset.meta, '00020002');
  const sopInstance = uidOf(dataset.elements, '00080018') ?? uidOf(dataset.meta, '00020003');
  meta['00020001'] = { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] };
  if (sopClass) meta['00020002'] = { vr: 'UI', Value: [sopClass] };
  if (sopInstance) meta['00020003'] = { vr: 'UI', Value: [sopInstance] };
  meta['00020010'] = { vr: 'UI', Value: [syntax.deflated ? EXPLICIT_VR_LITTLE_ENDIAN : target] };
  meta['00020012'] = { vr: 'UI', Value: [options.implementationClassUid ?? IMPLEMENTATION_CLASS_UID] };
  meta['00020013'] = { vr: 'SH', Value: [options.implementationVersionName ?? IMPLEMENTATION_VERSION_NAME] };
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = elements;
  const written = new Uint8Array(dict.write({ fragmentMultiframe: false }));
  if (!syntax.deflated) return written;
  return deflateBody(written, target);
}

/**
 * dcmjs cannot deflate (it declares deflate and writes a plain body), so the file is written Explicit VR
 * Little Endian, then its (0002,0010) value is replaced and the data set deflated here (PS3.5 A.5).
 */
function deflateBody(file: Uint8Array, target: string): Uint8Array {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const metaEnd = 144 + bytes.readUInt32LE(140);
  const at = bytes.subarray(0, metaEnd).indexOf(Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49]));
  if (at < 0) throw new Error('written file meta has no transfer syntax');
  const oldLength = bytes.readUInt16LE(at + 6);
  const value = Buffer.from(target.length % 2 ? `${target}\0` : target, 'latin1');
  const length = Buffer.alloc(2);
  length.writeUInt16LE(value.length);
  const meta = Buffer.concat([
    bytes.subarray(0, at + 6),
    length,
    value,
    bytes.subarray(at + 8 + oldLength, metaEnd),
  ]);
  meta.writeUInt32LE(meta.length - 144, 140);
  return Buffer.concat([meta, deflateRawSync(bytes.subarray(metaEnd))]);
}
