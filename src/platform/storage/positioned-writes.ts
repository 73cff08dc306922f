import { writev, writevSync } from 'node:fs';

// Batches handed to the thread pool and not yet written: bounds the memory a fast sender can pin.
const MAX_IN_FLIGHT = 4;

/**
 * Appends batches of pieces to a new file with positioned writes (pwritev) on libuv's thread pool, a few at
 * a time. The copy into the page cache is a third of ingest's CPU for an image; off the JavaScript thread it
 * overlaps with receiving the next bytes, and one call per batch costs the thread a few microseconds.
 * Pieces must stay unchanged until written (network chunks are never reused, so they do).
 */
export class PositionedWrites {
  private position = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;

  constructor(private readonly fd: number) {}

  /** Bytes handed over so far (the file's size once all are written). */
  get size(): number {
    return this.position;
  }

  /** Hands the pieces over as one write; waits only while MAX_IN_FLIGHT batches are unwritten. */
  async write(pieces: Uint8Array[], length: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (length === 0) return;
    const written = writeAll(this.fd, pieces, this.position, length).catch((error: Error) => {
      this.failure ??= error;
    });
    this.position += length;
    this.inFlight.add(written);
    void written.finally(() => this.inFlight.delete(written));
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** Writes the pieces on this thread: for a small file the thread pool's round trip costs more. */
  writeNow(pieces: Uint8Array[], length: number): void {
    if (this.failure) throw this.failure;
    writeAllSync(this.fd, pieces, this.position, length);
    this.position += length;
  }

  /**
   * Resolves once every write has ended, or rejects with the first failure. Also the way to give up: no
   * write touches the descriptor after this settles, so only then may it be closed (a closed number can
   * name another file at once).
   */
  async finish(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}

/** pwritev until every byte is down: a short write (rare on local disks, possible) continues where it ended. */
async function writeAll(fd: number, pieces: Uint8Array[], position: number, length: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const rest = done === 0 ? pieces : remainder(pieces, done);
    const at = position + done;
    const n = await new Promise<number>((resolve, reject) =>
      writev(fd, rest, at, (error, bytes) => (error ? reject(error) : resolve(bytes))),
    );
    if (n === 0) throw new Error('the file system accepted no bytes');
    done += n;
  }
}

function writeAllSync(fd: number, pieces: Uint8Array[], position: number, length: number): void {
  let done = 0;
  while (done < length) {
    const n = writevSync(fd, done === 0 ? pieces : remainder(pieces, done), position + done);
    if (n === 0) throw new Error('the file system accepted no bytes');
    done += n;
  }
}

/** The pieces without their first `skip` bytes. */
function remainder(pieces: Uint8Array[], skip: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const piece of pieces) {
    if (skip >= piece.byteLength) {
      skip -= piece.byteLength;
      continue;
    }
    rest.push(skip > 0 ? piece.subarray(skip) : piece);
    skip = 0;
  }
  return rest;
}
