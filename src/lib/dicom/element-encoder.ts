import { encodeText } from './character-sets.js';
import { NUMBER_SIZES, TEXT_VRS } from './dataset.js';

/** VRs whose explicit-VR header has 2 reserved bytes and a 32-bit length (PS3.5 7.1.2). */
export const LONG_LENGTH_VRS = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

/** Text VRs whose repertoire is the default one whatever the Specific Character Set (PS3.5 6.1.2.3). */
const CHARSET_FREE_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']);

export interface Encoding {
  implicit: boolean;
  littleEndian: boolean;
  charset: string[];
}

function encodeNumbers(values: string[], vr: string, littleEndian: boolean): Uint8Array {
  const size = NUMBER_SIZES[vr]!;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((text, i) => {
    const at = i * size;
    if (vr === 'AT') {
      if (!/^[0-9A-Fa-f]{8}$/.test(text)) throw new Error(`not an attribute tag: ${text}`);
      view.setUint16(at, parseInt(text.slice(0, 4), 16), littleEndian);
      view.setUint16(at + 2, parseInt(text.slice(4), 16), littleEndian);
      return;
    }
    if (vr === 'SV' || vr === 'UV') {
      if (vr === 'SV') view.setBigInt64(at, BigInt(text), littleEndian);
      else view.setBigUint64(at, BigInt(text), littleEndian);
      return;
    }
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`not a number for VR ${vr}: "${text}"`);
    if (vr === 'US') view.setUint16(at, n, littleEndian);
    else if (vr === 'SS') view.setInt16(at, n, littleEndian);
    else if (vr === 'UL') view.setUint32(at, n, littleEndian);
    else if (vr === 'SL') view.setInt32(at, n, littleEndian);
    else if (vr === 'FL') view.setFloat32(at, n, littleEndian);
    else view.setFloat64(at, n, littleEndian);
  });
  return out;
}

/** The value field of an element given as text: PS3.5 6.2 padding to even length, charset applied. */
export function encodeValue(values: string[], vr: string, encoding: Encoding): Uint8Array {
  if (vr in NUMBER_SIZES) return encodeNumbers(values, vr, encoding.littleEndian);
  if (!TEXT_VRS.has(vr)) throw new Error(`cannot set a ${vr} value from text`);
  const text = values.join('\\');
  const bytes = CHARSET_FREE_VRS.has(vr) ? Buffer.from(text, 'latin1') : encodeText(text, encoding.charset);
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = vr === 'UI' ? 0x00 : 0x20; // UI pads with NUL, text with space (PS3.5 6.2)
  return padded;
}

/** A whole data element: tag, VR (explicit only), length, value (PS3.5 7.1). */
export function encodeElement(tag: string, vr: string, value: Uint8Array, encoding: Encoding): Uint8Array {
  const out = new Uint8Array(elementHeaderLength(vr, encoding) + value.length);
  writeElement(out, 0, tag, vr, value, encoding);
  return out;
}

/** Bytes of an element's header: tag, VR and length (PS3.5 7.1.1-7.1.3). */
export function elementHeaderLength(vr: string, encoding: Encoding): number {
  return encoding.implicit || !LONG_LENGTH_VRS.has(vr) ? 8 : 12;
}

/** Writes a whole element at `at` into `out` (sized by the caller); returns the offset after it. */
export function writeElement(
  out: Uint8Array,
  at: number,
  tag: string,
  vr: string,
  value: Uint8Array,
  encoding: Encoding,
): number {
  const le = encoding.littleEndian;
  const long = encoding.implicit || LONG_LENGTH_VRS.has(vr);
  if (!long && value.length > 0xfffe) throw new Error(`value too long for VR ${vr}: ${value.length} bytes`);
  const view = new DataView(out.buffer, out.byteOffset + at);
  view.setUint16(0, parseInt(tag.slice(0, 4), 16), le);
  view.setUint16(2, parseInt(tag.slice(4, 8), 16), le);
  const headerLength = elementHeaderLength(vr, encoding);
  if (encoding.implicit) view.setUint32(4, value.length, le);
  else {
    out[at + 4] = vr.charCodeAt(0);
    out[at + 5] = vr.charCodeAt(1);
    if (long) {
      out[at + 6] = 0;
      out[at + 7] = 0;
      view.setUint32(8, value.length, le);
    } else view.setUint16(6, value.length, le);
  }
  out.set(value, at + headerLength);
  return at + headerLength + value.length;
}
