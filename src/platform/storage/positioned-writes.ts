import { writev, writevSync } from 'node:fs';

// Bytes handed over and not yet written: bounds the memory a fast sender can pin.
const MAX_UNWRITTEN_BYTES = 512 * 1024;

/**
 * Appends batches of pieces to a new file with positioned writes (pwritev) on libuv's thread pool. The copy
 * into the page cache is a third of ingest's CPU for an image; off the JavaScript thread it overlaps with
 * receiving the next bytes, and one call per batch costs the thread a few microseconds. One write at a time:
 * concurrent writes to one file queue on its inode lock, each a sleep and a wake-up of a pool thread; batches
 * handed over meanwhile are joined into the next write. Pieces must stay unchanged until written (network
 * chunks are never reused, so they do).
 */
export class PositionedWrites {
  private position = 0;
  private queued: Uint8Array[] = [];
  private queuedBytes = 0;
  private current: Promise<void> | undefined;
  private failure: Error | undefined;

  /** `onWritten(upTo)`: the file's first `upTo` bytes are written (called in order, after each write). */
  constructor(
    private readonly fd: number,
    private readonly onWritten?: (upTo: number) => void,
  ) {}

  /** Bytes handed over so far (the file's size once all are written). */
  get size(): number {
    return this.position;
  }

  /** Hands the pieces over; waits only while MAX_UNWRITTEN_BYTES are queued behind the running write. */
  async write(pieces: Uint8Array[], length: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (length === 0) return;
    for (const piece of pieces) this.queued.push(piece);
    this.queuedBytes += length;
    this.position += length;
    if (!this.current) this.writeQueued();
    while (this.current && this.queuedBytes >= MAX_UNWRITTEN_BYTES) await this.current;
    if (this.failure) throw this.failure;
  }

  /** Writes the pieces on this thread: for a small file the thread pool's round trip costs more. */
  writeNow(pieces: Uint8Array[], length: number): void {
    if (this.failure) throw this.failure;
    writeAllSync(this.fd, pieces, this.position, length);
    this.position += length;
    this.onWritten?.(this.position);
  }

  /**
   * Resolves once every write has ended, or rejects with the first failure. Also the way to give up: no
   * write touches the descriptor after this settles, so only then may it be closed (a closed number can
   * name another file at once).
   */
  async finish(): Promise<void> {
    while (this.current) await this.current;
    if (this.failure) throw this.failure;
  }

  private writeQueued(): void {
    const pieces = this.queued;
    const length = this.queuedBytes;
    const end = this.position;
    this.queued = [];
    this.queuedBytes = 0;
    this.current = writeAll(this.fd, pieces, end - length, length).then(
      () => {
        this.current = undefined;
        this.onWritten?.(end);
        if (this.queuedBytes > 0) this.writeQueued();
      },
      (error: Error) => {
        this.failure ??= error;
        this.current = undefined;
      },
    );
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
