import type { HeaderFacts, HeaderReading } from './header-facts.js';

export type { HeaderFacts } from './header-facts.js';

/** Reads a header prefix (its own copy, handed over): the header worker, or readHeaderFacts in line. */
export type HeaderReader = (
  prefix: Uint8Array,
  transferSyntaxUid: string | undefined,
) => Promise<HeaderReading>;

// The header of an image is a few KiB; past this the scan after staging (which may read the file) takes over.
const MAX_PREFIX_BYTES = 128 * 1024;
// Enough for the header of almost every image in one reading; smaller files are read once they have arrived.
const FIRST_TRY_BYTES = 16 * 1024;

/**
 * Reads an instance's header while its pixel data is still arriving. A sender waits for each C-STORE
 * answer, so work done after the last byte delays the next instance; the header scan, the index attributes
 * and the metadata JSON (0.4-0.6 ms a CT image here) need only the first few KiB, and are read (by the
 * header worker, off the JavaScript thread) as soon as those have arrived. What depends on the file's size
 * (a truncation check, whether the metadata is complete) is computed for the size the header announces and
 * used only if the file has it. Anything unusual (no pixel data, a parse error, a header past 128 KiB) yields
 * nothing: the caller then reads the header after staging, as before, and reports errors from there.
 */
export class HeaderWhileStaging {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private sentBytes = 0;
  private nextTry = FIRST_TRY_BYTES;
  private finished = false;
  private reading: Promise<void> | undefined;
  private facts: HeaderFacts | undefined;
  /** The file size the facts were computed for; undefined when they hold for any size. */
  private assumedSize: number | undefined;

  constructor(
    private readonly transferSyntaxUid: string | undefined,
    private readonly reader: HeaderReader,
  ) {}

  /** The same bytes, looked at on their way through. */
  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (!this.finished) this.add(chunk);
      yield chunk;
    }
  }

  /** The facts for a staged file of `size` bytes, when the early read found them valid for it. */
  async result(size: number): Promise<HeaderFacts | undefined> {
    for (;;) {
      while (this.reading) await this.reading;
      // The whole file arrived before the header was read (a small file), or a reading asked for more.
      if (this.finished || this.bytes <= this.sentBytes) break;
      this.send();
    }
    if (this.assumedSize !== undefined && this.assumedSize !== size) return undefined;
    return this.facts;
  }

  /** The facts read so far, for whatever size they assumed: to name an instance whose store failed. */
  async factsSoFar(): Promise<HeaderFacts | undefined> {
    while (this.reading) await this.reading;
    return this.facts;
  }

  private add(chunk: Uint8Array): void {
    // Only the first bytes are kept for a reading, whatever arrives while one is under way.
    if (this.bytes < MAX_PREFIX_BYTES) this.parts.push(chunk);
    this.bytes += chunk.byteLength;
    if (!this.reading && this.bytes >= this.nextTry) this.send();
  }

  /** Hands a copy of the first bytes (at most MAX_PREFIX_BYTES) to the reader. */
  private send(): void {
    const length = Math.min(this.bytes, MAX_PREFIX_BYTES);
    const prefix = new Uint8Array(length);
    let at = 0;
    for (const part of this.parts) {
      if (at >= length) break;
      const take = Math.min(part.byteLength, length - at);
      prefix.set(take === part.byteLength ? part : part.subarray(0, take), at);
      at += take;
    }
    this.sentBytes = this.bytes;
    this.reading = this.reader(prefix, this.transferSyntaxUid).then((reading) => {
      this.reading = undefined;
      this.answered(reading, length);
    });
  }

  private answered(reading: HeaderReading, length: number): void {
    if (this.finished) return;
    if (reading.kind === 'facts') {
      this.facts = reading.facts;
      this.assumedSize = reading.assumedSize;
      return this.stop();
    }
    if (reading.kind === 'none' || length >= MAX_PREFIX_BYTES) return this.stop();
    // Truncated: try again with twice the bytes, now if they are here, else when they arrive.
    this.nextTry = length * 2;
    if (this.bytes >= this.nextTry) this.send();
  }

  private stop(): void {
    this.finished = true;
    this.parts = [];
  }
}
