/**
 * Sends one DIMSE message as P-DATA-TF PDUs (PS3.8 9.3.5, E.2): the command, then the data set, each cut
 * into PDVs no longer than the peer's maximum PDU length allows. Data from an iterable is forwarded as
 * zero-copy slices and pulled only as fast as the socket drains; the PDUs ready at one time share a writev.
 */
import { encodeCommand, type Command } from './command-set.js';
import { pDataHeader } from './pdu-codec.js';
import type { UpperLayerConnection } from './upper-layer-connection.js';

/** Bytes lent by their producer (a store's read buffer): given back with release() once the socket has them. */
export interface LentChunk {
  readonly bytes: Uint8Array;
  release(): void;
}

/**
 * A data set read into lent buffers: each chunk is released once the socket has taken every PDU holding its
 * bytes, so the producer reads the next file into the same memory. A send that fails releases nothing (a
 * socket write may still hold the bytes) and ends the iterator (closing the file).
 */
export interface LentDataSet {
  readonly lentChunks: AsyncIterator<LentChunk>;
}

export type DataSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | LentDataSet;

/** Used when the peer announced 0 (no limit, PS3.8 D.1): large enough to keep per-PDU cost negligible. */
const UNLIMITED_PDV_VALUE = 1 << 20;

/** Largest PDV value for a peer maximum: PDU length minus the PDV item header (6), kept even. */
export function maxPdvValue(peerMaxPduLength: number): number {
  if (peerMaxPduLength === 0) return UNLIMITED_PDV_VALUE;
  return Math.max(2, (peerMaxPduLength - 6) & ~1);
}

/** PDUs written per socket call: one call for many whole PDUs costs what one PDU's call costs. */
const PDUS_PER_WRITE = 64;

async function sendBytes(
  connection: UpperLayerConnection,
  contextId: number,
  command: boolean,
  bytes: Uint8Array,
  maxValue: number,
): Promise<void> {
  let offset = 0;
  let batch: Uint8Array[][] = [];
  do {
    const slice = bytes.subarray(offset, offset + maxValue);
    offset += slice.length;
    const last = offset >= bytes.length;
    batch.push([pDataHeader(contextId, command, last, slice.length), slice]);
    if (last || batch.length >= PDUS_PER_WRITE) {
      await connection.writePdus(batch);
      batch = [];
    }
  } while (offset < bytes.length);
}

async function sendIterable(
  connection: UpperLayerConnection,
  contextId: number,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxValue: number,
): Promise<void> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  // A PDU is sent only once more bytes are known to follow, so the final one can carry the "last" bit.
  // The whole PDUs an input chunk completes go out together, in one socket call.
  for await (const input of source) {
    let chunk = input;
    let batch: Uint8Array[][] = [];
    while (pendingBytes + chunk.length > maxValue) {
      const take = maxValue - pendingBytes;
      pending.push(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      batch.push([pDataHeader(contextId, false, false, maxValue), ...pending]);
      pending = [];
      pendingBytes = 0;
      if (batch.length >= PDUS_PER_WRITE) {
        await connection.writePdus(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await connection.writePdus(batch);
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  await connection.writePdu([pDataHeader(contextId, false, true, pendingBytes), ...pending]);
}

const releaseAll = (chunks: LentChunk[]) => () => {
  for (const chunk of chunks) chunk.release();
};

async function sendLent(
  connection: UpperLayerConnection,
  contextId: number,
  source: AsyncIterator<LentChunk>,
  maxValue: number,
): Promise<void> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  // Chunks with bytes in `pending`: released with the write of the PDU that takes those bytes.
  let pendingChunks: LentChunk[] = [];
  let finished = false;
  try {
    // As sendIterable, with each chunk given back after the socket write of its last bytes.
    for (let next = await source.next(); !next.done; next = await source.next()) {
      const lent = next.value;
      let chunk = lent.bytes;
      let batch: Uint8Array[][] = [];
      let written: LentChunk[] = [];
      while (pendingBytes + chunk.length > maxValue) {
        const take = maxValue - pendingBytes;
        pending.push(chunk.subarray(0, take));
        chunk = chunk.subarray(take);
        batch.push([pDataHeader(contextId, false, false, maxValue), ...pending]);
        written.push(...pendingChunks);
        pending = [];
        pendingChunks = [];
        pendingBytes = 0;
        if (batch.length >= PDUS_PER_WRITE) {
          await connection.writePdus(batch, releaseAll(written));
          batch = [];
          written = [];
        }
      }
      if (chunk.length > 0) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        pendingChunks.push(lent);
      } else {
        written.push(lent);
      }
      if (batch.length > 0) await connection.writePdus(batch, releaseAll(written));
      else releaseAll(written)();
    }
    finished = true;
    await connection.writePdus(
      [[pDataHeader(contextId, false, true, pendingBytes), ...pending]],
      releaseAll(pendingChunks),
    );
  } finally {
    if (!finished) await source.return?.().catch(() => undefined);
  }
}

export async function sendMessage(
  connection: UpperLayerConnection,
  peerMaxPduLength: number,
  contextId: number,
  command: Command,
  data?: DataSource,
): Promise<void> {
  const maxValue = maxPdvValue(peerMaxPduLength);
  const encoded = encodeCommand({ ...command, hasDataSet: data !== undefined });
  await sendBytes(connection, contextId, true, encoded, maxValue);
  if (data === undefined) return;
  if (data instanceof Uint8Array) await sendBytes(connection, contextId, false, data, maxValue);
  else if ('lentChunks' in data) await sendLent(connection, contextId, data.lentChunks, maxValue);
  else await sendIterable(connection, contextId, data, maxValue);
}
