import type { DataSet, Element } from 'dicom-parser';
import { decodeText } from './character-sets.js';
import { dictionaryVr } from './dictionary.js';
import {
  BINARY_VRS,
  NUMBER_SIZES,
  SINGLE_VALUED_TEXT_VRS,
  SWAP_SIZES,
  TEXT_VRS,
  type DataElement,
  type DataElements,
  type ElementValue,
  type PersonName,
} from './dataset.js';

/** How the values of one data set (or sequence item) are encoded. */
export interface ValueContext {
  littleEndian: boolean;
  implicit: boolean;
  charset: string[];
  pixelRepresentation?: number | undefined;
}

export function parserTag(tag: string): string {
  return `x${tag.toLowerCase()}`;
}

export function valueBytes(dataset: DataSet, element: Element): Uint8Array {
  return dataset.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
}

/**
 * The VR to decode an element with. Implicit data sets take the dictionary's (PS3.5 7.1.3), with the
 * ambiguous US/SS chosen by Pixel Representation (PS3.5 Annex A.1 note); an explicit UN whose tag the
 * dictionary knows is decoded with the dictionary VR (PS3.5 6.2.2: UN holds the implicit encoding). So are
 * the elements inside a UN of undefined length, which are Implicit VR Little Endian (PS3.5 6.2.2, CP-246):
 * dicom-parser reads them without a VR even in an explicit data set.
 */
export function resolveVr(element: Element, context: ValueContext): string {
  if (element.items) return 'SQ';
  let vr = element.vr ?? dictionaryVr(element.tag.slice(1));
  if (!context.implicit && vr === 'UN' && !element.hadUndefinedLength && context.littleEndian) {
    const known = dictionaryVr(element.tag.slice(1));
    if (known && /^[A-Z]{2}$/.test(known) && known !== 'SQ') vr = known;
  }
  if (vr === undefined) return 'UN';
  if (vr === 'xs') return context.pixelRepresentation === 1 ? 'SS' : 'US';
  if (vr === 'ox' || vr === 'lt') return 'OW';
  return /^[A-Z]{2}$/.test(vr) ? vr : 'UN';
}

/** Trailing spaces and NULs go (padding); leading spaces too, but for text whose leading spaces matter. */
function trimValue(value: string, vr: string): string {
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0)) end--;
  if (vr === 'UI') return value.slice(0, end).trimStart();
  let start = 0;
  if (!(vr === 'LT' || vr === 'ST' || vr === 'UT' || vr === 'UC' || vr === 'PN')) {
    while (start < end && value.charCodeAt(start) === 0x20) start++;
  }
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

export function parsePersonName(value: string): PersonName {
  const [alphabetic, ideographic, phonetic] = value.split('=');
  const name: PersonName = {};
  if (alphabetic) name.Alphabetic = alphabetic;
  if (ideographic) name.Ideographic = ideographic;
  if (phonetic) name.Phonetic = phonetic;
  return name;
}

/** The decoded text of an element split into its values, padding removed per VR. */
export function textValues(bytes: Uint8Array, vr: string, charset: string[]): string[] {
  if (bytes.length === 0) return [];
  const text = decodeText(bytes, charset, vr);
  const parts = SINGLE_VALUED_TEXT_VRS.has(vr) ? [text] : text.split('\\');
  return parts.map((part) => trimValue(part, vr));
}

function numberValues(bytes: Uint8Array, vr: string, littleEndian: boolean): (number | string)[] {
  const size = NUMBER_SIZES[vr]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: (number | string)[] = [];
  for (let offset = 0; offset + size <= bytes.length; offset += size) {
    switch (vr) {
      case 'US':
        values.push(view.getUint16(offset, littleEndian));
        break;
      case 'SS':
        values.push(view.getInt16(offset, littleEndian));
        break;
      case 'UL':
        values.push(view.getUint32(offset, littleEndian));
        break;
      case 'SL':
        values.push(view.getInt32(offset, littleEndian));
        break;
      case 'FL':
        values.push(view.getFloat32(offset, littleEndian));
        break;
      case 'FD':
        values.push(view.getFloat64(offset, littleEndian));
        break;
      case 'AT': {
        const group = view.getUint16(offset, littleEndian).toString(16).padStart(4, '0');
        const element = view
          .getUint16(offset + 2, littleEndian)
          .toString(16)
          .padStart(4, '0');
        values.push(`${group}${element}`.toUpperCase());
        break;
      }
      default: {
        // SV/UV (PS3.5 6.2): 64-bit; a number when exact, else its decimal string (PS3.18 F.2.3.1).
        const big =
          vr === 'SV' ? view.getBigInt64(offset, littleEndian) : view.getBigUint64(offset, littleEndian);
        values.push(
          big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(big)
            : big.toString(),
        );
      }
    }
  }
  return values;
}

export function toLittleEndian(bytes: Uint8Array, vr: string): Uint8Array {
  const size = SWAP_SIZES[vr];
  if (!size) return bytes;
  const swapped = new Uint8Array(bytes.length);
  const whole = bytes.length - (bytes.length % size);
  for (let i = 0; i < whole; i += size)
    for (let j = 0; j < size; j++) swapped[i + j] = bytes[i + size - 1 - j]!;
  swapped.set(bytes.subarray(whole), whole);
  return swapped;
}

/** Specific Character Set of a data set, or the inherited one when it has none (PS3.5 6.1.2.5.1). */
export function charsetOf(dataset: DataSet, inherited: string[]): string[] {
  const element = dataset.elements.x00080005;
  if (!element) return inherited;
  const values = textValues(valueBytes(dataset, element), 'CS', []);
  return values.length ? values : [''];
}

function pixelRepresentationOf(dataset: DataSet, context: ValueContext): number | undefined {
  const element = dataset.elements.x00280103;
  if (!element || element.length < 2) return context.pixelRepresentation;
  const value = numberValues(valueBytes(dataset, element), 'US', context.littleEndian)[0];
  return typeof value === 'number' ? value : undefined;
}

export function contextFor(dataset: DataSet, parent: ValueContext): ValueContext {
  return {
    ...parent,
    charset: charsetOf(dataset, parent.charset),
    pixelRepresentation: pixelRepresentationOf(dataset, parent),
  };
}

export function decodeElement(dataset: DataSet, element: Element, context: ValueContext): DataElement {
  const vr = resolveVr(element, context);
  if (vr === 'SQ') {
    const items = (element.items ?? []).map((item) =>
      item.dataSet ? decodeDataSet(item.dataSet, context) : {},
    );
    return items.length ? { vr, Value: items } : { vr };
  }
  if (element.fragments) {
    return {
      vr,
      basicOffsetTable: element.basicOffsetTable ?? [],
      fragments: element.fragments.map((f) => dataset.byteArray.subarray(f.position, f.position + f.length)),
    };
  }
  const bytes = valueBytes(dataset, element);
  if (TEXT_VRS.has(vr)) {
    const values = textValues(bytes, vr, context.charset);
    if (values.length === 0 || values.every((v) => v === '')) return { vr };
    const Value: ElementValue[] = vr === 'PN' ? values.map(parsePersonName) : values;
    return { vr, Value };
  }
  if (vr in NUMBER_SIZES) {
    const values = numberValues(bytes, vr, context.littleEndian);
    return values.length ? { vr, Value: values } : { vr };
  }
  if (BINARY_VRS.has(vr) || !TEXT_VRS.has(vr)) {
    if (bytes.length === 0) return { vr };
    return { vr, bytes: context.littleEndian ? bytes : toLittleEndian(bytes, vr) };
  }
  return { vr };
}

/** Decodes every element of a dicom-parser data set (delimitation items and group lengths excluded). */
export function decodeDataSet(dataset: DataSet, parent: ValueContext): DataElements {
  const context = contextFor(dataset, parent);
  const out: DataElements = {};
  for (const key of Object.keys(dataset.elements).sort()) {
    const element = dataset.elements[key]!;
    if (key.startsWith('xfffe')) continue;
    out[key.slice(1).toUpperCase()] = decodeElement(dataset, element, context);
  }
  return out;
}
