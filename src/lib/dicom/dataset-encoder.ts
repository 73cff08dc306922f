import type { DataElement, DataElements, ElementValue, PersonName } from './dataset.js';
import { personNameToText } from './person-name.js';
import { NUMBER_SIZES, TEXT_VRS } from './dataset.js';
import { elementHeaderLength, encodeValue, writeElement, type Encoding } from './element-encoder.js';
import { writePart10 } from './part10-writer.js';
import { EXPLICIT_VR_LITTLE_ENDIAN, transferSyntax } from './transfer-syntaxes.js';

const UTF8 = 'ISO_IR 192';
const SPECIFIC_CHARACTER_SET = '00080005';

/**
 * A bare data set (no preamble, no file meta) in the given transfer syntax, as DIMSE carries identifiers
 * and responses (PS3.7 6.3.1). Text outside ASCII is written as UTF-8 under ISO_IR 192. Flat data sets of
 * text and numbers (C-FIND responses) are encoded here directly, element by element, which is many times
 * faster than a full writer; sequences and binary values go through writePart10.
 */
export function encodeDataset(elements: DataElements, transferSyntaxUid: string): Uint8Array {
  const entries = Object.entries(elements);
  if (!entries.every(([, element]) => isFlat(element))) return viaPart10Writer(elements, transferSyntaxUid);
  const syntax = transferSyntax(transferSyntaxUid);
  const texts = entries.map(([tag, element]) => [tag, element, (element.Value ?? []).map(asText)] as const);
  const nonAscii = texts.some(([, element, values]) => TEXT_VRS.has(element.vr) && values.some(isNonAscii));
  const encoding: Encoding = {
    implicit: syntax.implicitVr,
    littleEndian: !syntax.bigEndian,
    charset: nonAscii ? [UTF8] : [],
  };
  const sorted = [...texts.filter(([tag]) => !nonAscii || tag !== SPECIFIC_CHARACTER_SET)];
  if (nonAscii) sorted.push([SPECIFIC_CHARACTER_SET, { vr: 'CS' }, [UTF8]]);
  sorted.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Values first, then one buffer for the whole data set: no per-element buffers to join.
  const values = sorted.map(([, element, texts]) => encodeValue(texts, element.vr, encoding));
  let length = 0;
  sorted.forEach(
    ([, element], i) => (length += elementHeaderLength(element.vr, encoding) + values[i]!.length),
  );
  const out = new Uint8Array(length);
  let at = 0;
  sorted.forEach(([tag, element], i) => (at = writeElement(out, at, tag, element.vr, values[i]!, encoding)));
  return out;
}

function isFlat(element: DataElement): boolean {
  return (TEXT_VRS.has(element.vr) || element.vr in NUMBER_SIZES) && !element.bytes && !element.fragments;
}

/** A value as its DICOM text: person names as their '='-joined groups. */
function asText(value: ElementValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return personNameToText(value as PersonName);
  return String(value);
}

const isNonAscii = (text: string) => /[^\x20-\x7e]/.test(text);

function viaPart10Writer(elements: DataElements, transferSyntaxUid: string): Uint8Array {
  const file = writePart10(
    { transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN, hasFileMeta: false, meta: {}, elements },
    { transferSyntaxUid },
  );
  const view = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  return file.subarray(144 + view.readUInt32LE(140));
}
