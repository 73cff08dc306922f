/**
 * An incoming data set as an AsyncIterable of fragments, with backpressure toward the socket: when more than
 * `highWaterMark` bytes wait for the consumer the producer is paused, and resumed once half has drained.
 * One consumer only. A consumer that stops early makes the rest of the data set be discarded, so the
 * association stays in step (PS3.8 requires the whole message to be read).
 */
export interface Pressure {
  pause(): void;
  resume(): void;
}

export class DataStream implements AsyncIterable<Uint8Array> {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private paused = false;
  private ended = false;
  private discarding = false;
  private iterated = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private resolveFinished!: () => void;
  private rejectFinished!: (error: Error) => void;
  /** Bytes received so far (including discarded ones). */
  receivedBytes = 0;
  /** Settles when the last fragment arrived (resolves) or the association failed first (rejects). */
  readonly finished: Promise<void>;

  constructor(
    private readonly pressure: Pressure,
    private readonly highWaterMark: number,
  ) {
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    this.finished.catch(() => undefined);
  }

  push(chunk: Uint8Array): void {
    if (this.ended || this.error) return;
    this.receivedBytes += chunk.length;
    if (this.discarding || chunk.length === 0) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.paused && this.queuedBytes > this.highWaterMark) {
      this.paused = true;
      this.pressure.pause();
    }
    this.notify();
  }

  end(): void {
    if (this.ended || this.error) return;
    this.ended = true;
    this.resolveFinished();
    this.notify();
  }

  fail(error: Error): void {
    if (this.ended || this.error) return;
    this.error = error;
    this.rejectFinished(error);
    this.releasePressure();
    this.notify();
  }

  /** Drops what is queued and everything still to come (the consumer is no longer interested). */
  discard(): void {
    this.discarding = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.releasePressure();
  }

  private releasePressure(): void {
    if (this.paused) {
      this.paused = false;
      this.pressure.resume();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.iterated) throw new Error('a DIMSE data stream can be read only once');
    this.iterated = true;
    try {
      for (;;) {
        const chunk = this.queue.shift();
        if (chunk) {
          this.queuedBytes -= chunk.length;
          if (this.paused && this.queuedBytes <= this.highWaterMark / 2) this.releasePressure();
          yield chunk;
          continue;
        }
        if (this.error) throw this.error;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      if (!this.ended) this.discard();
    }
  }

  /** Collects everything into one buffer, failing past `limit` bytes (for small identifiers). */
  async collect(limit: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this) {
      total += chunk.length;
      if (total > limit) throw new Error(`data set larger than ${limit} bytes`);
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }
}
