import { Readable } from 'node:stream';

// Encapsulated pixel data (PS3.5 A.4) is a sequence of items, always little endian: (FFFE,E000) items, the
// first the Basic Offset Table, then the fragments, ended by (FFFE,E0DD). This streams the fragment values
// out of the bytes that follow the (7FE0,0010) element header, without holding more than one chunk.

const ITEM = 0xe000fffe; // (FFFE,E000) read as one little-endian 32-bit word
const SEQUENCE_DELIMITER = 0xe0ddfffe;

/** The fragment values, concatenated (Basic Offset Table skipped), from a stream of the encapsulated value. */
export function encapsulatedFragments(source: Readable): Readable {
  return Readable.from(fragments(source), { objectMode: false });
}

async function* fragments(source: Readable): AsyncGenerator<Uint8Array> {
  let pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current item's value still to pass on (or skip, for the offset table). */
  let remaining = 0;
  let skipping = false;
  let items = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length > 0) {
        if (remaining > 0) {
          const take = Math.min(remaining, pending.length);
          if (!skipping) yield pending.subarray(0, take);
          pending = pending.subarray(take);
          remaining -= take;
          continue;
        }
        if (pending.length < 8) break;
        const tag = pending.readUInt32LE(0);
        const length = pending.readUInt32LE(4);
        pending = pending.subarray(8);
        if (tag === SEQUENCE_DELIMITER) return;
        if (tag !== ITEM || length === 0xffffffff) throw new Error('encapsulated pixel data: not an item');
        skipping = items === 0;
        items += 1;
        remaining = length;
      }
    }
    if (remaining > 0 || pending.length > 0) throw new Error('encapsulated pixel data: truncated');
  } finally {
    source.destroy();
  }
}

/** Reads `length` bytes at `start` of the stored file (fewer only at its end). */
export type ReadAt = (start: number, length: number) => Promise<Buffer>;

/**
 * Whether elements follow encapsulated pixel data whose items begin at `offset` in a file of `size` bytes
 * (trailing padding, a digital signature): then the header scan, which stops at the pixel data, does not
 * hold every attribute. Reads the last 8 bytes, and only when they are a sequence delimiter walks the item
 * headers (not their values) to tell the pixel data's delimiter from that of a sequence that follows it.
 */
export async function elementsFollowEncapsulated(readAt: ReadAt, offset: number, size: number) {
  const tail = await readAt(size - 8, 8);
  if (tail.length < 8 || tail.readUInt32LE(0) !== SEQUENCE_DELIMITER || tail.readUInt32LE(4) !== 0)
    return true;
  let position = offset;
  while (position + 8 <= size) {
    const head = await readAt(position, 8);
    if (head.length < 8) break;
    const tag = head.readUInt32LE(0);
    if (tag === SEQUENCE_DELIMITER) return position + 8 < size;
    if (tag !== ITEM || head.readUInt32LE(4) === 0xffffffff) break;
    position += 8 + head.readUInt32LE(4);
  }
  // Malformed: let the full read that follows report it.
  return true;
}
