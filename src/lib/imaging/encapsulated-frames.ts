import { ImagingError } from './imaging-error.js';

/** The items of encapsulated Pixel Data (PS3.5 A.4): the Basic Offset Table and the fragments that follow. */
export interface EncapsulatedItems {
  basicOffsetTable: number[];
  fragments: Uint8Array[];
}

const ITEM = 0xe000;
const SEQUENCE_DELIMITER = 0xe0dd;

/** Reads the items from the start of the Pixel Data value (after its tag, VR and undefined length). */
export function readEncapsulatedItems(bytes: Uint8Array, start: number): EncapsulatedItems {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Uint8Array[] = [];
  let at = start;
  while (at + 8 <= bytes.length) {
    const group = view.getUint16(at, true);
    const element = view.getUint16(at + 2, true);
    const length = view.getUint32(at + 4, true);
    if (group !== 0xfffe)
      throw new ImagingError('invalid', `unexpected element in pixel data items at ${at}`);
    if (element === SEQUENCE_DELIMITER) break;
    if (element !== ITEM || at + 8 + length > bytes.length) {
      throw new ImagingError('invalid', `truncated or malformed pixel data item at ${at}`);
    }
    items.push(bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  const [table, ...fragments] = items;
  if (!table) throw new ImagingError('invalid', 'encapsulated pixel data without a Basic Offset Table item');
  const tableView = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const basicOffsetTable = Array.from({ length: Math.floor(table.length / 4) }, (_, i) =>
    tableView.getUint32(i * 4, true),
  );
  return { basicOffsetTable, fragments };
}

/** JPEG (also JPEG-LS) SOI, or a JPEG 2000 codestream's SOC + SIZ, or a JP2 signature box. */
function startsCodestream(fragment: Uint8Array): boolean {
  const [a, b, c, d] = fragment;
  if (a === 0xff && b === 0xd8) return true;
  if (a === 0xff && b === 0x4f && c === 0xff && d === 0x51) return true;
  return a === 0 && b === 0 && c === 0 && d === 0x0c;
}

/**
 * The fragments that make up each frame (PS3.5 A.4): by the Basic Offset Table when present; one fragment a
 * frame when the counts agree; all fragments for a single frame; otherwise a new frame begins at each
 * fragment that opens a codestream.
 */
export function groupFrames(items: EncapsulatedItems, numberOfFrames: number): Uint8Array[][] {
  const { basicOffsetTable: table, fragments } = items;
  if (table.length > 0) {
    const frames: Uint8Array[][] = table.map(() => []);
    let offset = 0;
    let index = 0;
    for (const fragment of fragments) {
      while (index + 1 < table.length && table[index + 1]! <= offset) index++;
      frames[index]!.push(fragment);
      offset += fragment.length + 8; // each fragment's item tag and length count in the offsets
    }
    return frames;
  }
  if (fragments.length === numberOfFrames) return fragments.map((f) => [f]);
  if (numberOfFrames <= 1) return [fragments];
  const frames: Uint8Array[][] = [];
  for (const fragment of fragments) {
    if (frames.length === 0 || startsCodestream(fragment)) frames.push([fragment]);
    else frames[frames.length - 1]!.push(fragment);
  }
  return frames;
}

export function joinFragments(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
