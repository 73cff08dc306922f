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
  const bytes = /^(AE|AS|CS|DA|DS|DT|IS|TM|UI|UR)$/.test(vr)
    ? Buffer.from(text, 'latin1')
    : encodeText(text, encoding.charset);
  if (bytes.length % 2 === 0) return bytes;
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  padded[bytes.length] = vr === 'UI' ? 0x00 : 0x20; // UI pads with NUL, text with space (PS3.5 6.2)
  return padded;
}

/** A whole data element: tag, VR (explicit only), length, value (PS3.5 7.1). */
export function encodeElement(tag: string, vr: string, value: Uint8Array, encoding: Encoding): Uint8Array {
  const le = encoding.littleEndian;
  const long = encoding.implicit || LONG_LENGTH_VRS.has(vr);
  const headerLength = encoding.implicit ? 8 : long ? 12 : 8;
  if (!long && value.length > 0xfffe) throw new Error(`value too long for VR ${vr}: ${value.length} bytes`);
  const out = new Uint8Array(headerLength + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, parseInt(tag.slice(0, 4), 16), le);
  view.setUint16(2, parseInt(tag.slice(4, 8), 16), le);
  if (encoding.implicit) view.setUint32(4, value.length, le);
  else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) view.setUint32(8, value.length, le);
    else view.setUint16(6, value.length, le);
  }
  out.set(value, headerLength);
  return out;
}
