import { closeSync, open, openSync, read, readSync } from 'node:fs';

// Whole-file reads for retrieve, into a few buffers that are reused instead of one new buffer a read:
// fs.createReadStream allocated a buffer the size of each file (525 KB for a CT slice, 52 MB a study),
// and that external memory drove a full garbage collection per study retrieve. Here each chunk is lent:
// the consumer gives the buffer back once nothing refers to its bytes any more (for a socket, once the
// socket has taken them), and the next read fills it again.
//
// Reads run on the JavaScript thread while they are fast (the file is in the page cache: a 525 KB read is
// a copy of 0.1-0.2 ms), as the store's writes do: the thread pool's three round trips a file (open, read,
// close) cost more CPU than the copy itself (a study retrieve: 40-46 ms of server CPU against 24-27 ms).
// A read that takes long (the disk, not the cache) sends the store's reads to the thread pool for a while,
// so cold files never hold up other requests for more than one read.

/** Bytes read into a lent buffer; valid until `release()`, which must be called once at most. */
export interface LentBytes {
  readonly bytes: Uint8Array;
  release(): void;
}

/**
 * A synchronous open or read slower than this was not served from the page cache (a cached 1 MiB read takes
 * 0.1-0.3 ms; on a loaded machine the thread may also lose the CPU for a few ms meanwhile, which is no reason
 * to pay for the thread pool).
 */
const SLOW_READ_MS = 10;
/** How long reads go to the thread pool after a slow one. */
const THREAD_POOL_AFTER_SLOW_MS = 1000;

/** The buffers lent by a store's reads: at most `keep` wait for reuse, more are allocated when all are out. */
export class ReadBufferPool {
  private readonly free: Buffer[] = [];
  /** Until when reads go to the thread pool (after a slow synchronous one). */
  private threadPoolUntil = 0;

  constructor(
    readonly bufferBytes: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }

  lend(buffer: Buffer, length: number): LentBytes {
    let lent = true;
    return {
      bytes: buffer.subarray(0, length),
      release: () => {
        // A second release would put the buffer twice in the pool, and two reads would share it.
        if (!lent) return;
        lent = false;
        this.give(buffer);
      },
    };
  }

  /** Whether the next open or read may run on the JavaScript thread. */
  get readsInline(): boolean {
    return this.threadPoolUntil === 0 || performance.now() >= this.threadPoolUntil;
  }

  /** Times an inline call; a slow one sends the next reads to the thread pool for a while. */
  inline<T>(call: () => T): T {
    const started = performance.now();
    const result = call();
    const ended = performance.now();
    if (ended - started > SLOW_READ_MS) this.threadPoolUntil = ended + THREAD_POOL_AFTER_SLOW_MS;
    return result;
  }
}

const openFile = (path: string) =>
  new Promise<number>((resolve, reject) =>
    open(path, 'r', (error, fd) => (error ? reject(error) : resolve(fd))),
  );

const readInto = (fd: number, buffer: Buffer, length: number, position: number) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buffer, 0, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead))),
  );

/**
 * The bytes `start`..`end` (inclusive) of a file, in chunks of at most the pool's buffer size, each lent.
 * One open, one read a chunk and one close: no stat (the caller knows the range) and no stream machinery.
 * A file shorter than the range is an error, not a short answer: the caller has promised its size to a peer.
 * Stopping early (return()) closes the file.
 */
export async function* readLent(
  path: string,
  start: number,
  end: number,
  pool: ReadBufferPool,
): AsyncGenerator<LentBytes, void, undefined> {
  if (end < start) return;
  const fd = pool.readsInline ? pool.inline(() => openSync(path, 'r')) : await openFile(path);
  try {
    let position = start;
    while (position <= end) {
      const buffer = pool.take();
      const length = Math.min(buffer.length, end - position + 1);
      let bytesRead: number;
      try {
        bytesRead = pool.readsInline
          ? pool.inline(() => readSync(fd, buffer, 0, length, position))
          : await readInto(fd, buffer, length, position);
      } catch (error) {
        pool.give(buffer);
        throw error;
      }
      if (bytesRead === 0) {
        pool.give(buffer);
        throw new Error(`${path} ends at byte ${position}, before the ${end + 1} expected`);
      }
      position += bytesRead;
      yield pool.lend(buffer, bytesRead);
    }
  } finally {
    // Closing a file descriptor does not touch the disk.
    closeSync(fd);
  }
}
