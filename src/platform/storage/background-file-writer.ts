import { writev } from 'node:fs';

// Writes in flight before the writer makes its caller wait: bounds the memory a fast sender can pin.
const MAX_IN_FLIGHT = 4;

/**
 * Appends to a file on the thread pool, each batch at its own position, so that the kernel's part of a
 * write (page allocation, the journal: 0.5-1 ms for a CT image on this ext4) runs beside the receiving of
 * the next bytes instead of after it. The pieces must stay unchanged until `finish()` resolves.
 */
export class BackgroundFileWriter {
  private position = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly fd: number) {}

  /** Starts writing the pieces; resolves at once, unless too many writes are in flight already. */
  async write(pieces: Uint8Array[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (pieces.length === 0) return;
    const position = this.position;
    for (const piece of pieces) this.position += piece.byteLength;
    const done = writeFully(this.fd, pieces, position).catch((error: unknown) => {
      this.failure ??= error;
    });
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** Waits for every write; throws the first failure. */
  async finish(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}

async function writeFully(fd: number, pieces: Uint8Array[], position: number): Promise<void> {
  let rest = pieces;
  let at = position;
  while (rest.length > 0) {
    let written = await new Promise<number>((resolve, reject) =>
      writev(fd, rest, at, (error, bytes) => (error ? reject(error) : resolve(bytes))),
    );
    if (written === 0) throw new Error('the file system accepted no bytes');
    at += written;
    // A short write (legal for files too): go on after the last byte written.
    let i = 0;
    while (i < rest.length && written >= rest[i]!.byteLength) written -= rest[i++]!.byteLength;
    rest = rest.slice(i);
    if (written > 0) rest[0] = rest[0]!.subarray(written);
  }
}
