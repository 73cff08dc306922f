import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { LentBytes } from '../../archive/index.js';

// A multipart/related response body (RFC 2387, PS3.18 8.6.1.2), written part by part: each part's body is
// opened only when the client has read the previous ones, so a study streams one instance at a time.

export interface MultipartPart {
  /** The part's Content-Type, e.g. 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1'. */
  contentType: string;
  /** Optional Content-Location of the part (PS3.18 8.6.1.2.1). */
  location?: string;
  /** Opened just before the part is reached (the next part is opened while this one is sent). */
  open(): Readable | AsyncIterable<Uint8Array>;
  /**
   * The same bytes as open(), in buffers lent by the store (used instead of open() when the body knows its
   * sink: each buffer is given back once the sink has passed its bytes on, and read into again).
   */
  readLent?(): AsyncIterator<LentBytes>;
  /** The body's size in bytes, when known: with every part's, the response gets a Content-Length. */
  size?: number;
}

export interface MultipartBody {
  /** The response Content-Type: multipart/related with the root type and the boundary. */
  contentType: string;
  body: Readable;
  /** The body's length, when every part's size is known (no chunked transfer coding needed then). */
  length?: number;
}

/**
 * Where the body is piped (the HTTP response): its `writableLength` tells how much of what it was given it
 * still holds, so a lent buffer goes back once every byte of it has left.
 */
export interface MultipartSink {
  readonly writableLength: number;
  cork(): void;
  uncork(): void;
  /** 'finish': every byte has left (the rest of the lent buffers go back then). */
  once(event: 'finish', listener: () => void): unknown;
}

/** A multipart/related body of `parts`, whose root media type is `type` ('application/dicom'). */
export function multipartRelated(
  type: string,
  parts: Iterable<MultipartPart> | AsyncIterable<MultipartPart>,
  options: { sink?: MultipartSink } = {},
): MultipartBody {
  const boundary = `lantern-${randomUUID()}`;
  return {
    contentType: `multipart/related; type="${type}"; boundary=${boundary}`,
    body: new MultipartStream(boundary, parts, options.sink),
    ...(Array.isArray(parts) && parts.every((p: MultipartPart) => p.size !== undefined)
      ? { length: bodyLength(boundary, parts as MultipartPart[]) }
      : {}),
  };
}

function partHeader(boundary: string, part: MultipartPart, first: boolean): Buffer {
  const location = part.location ? `Content-Location: ${part.location}\r\n` : '';
  // The CRLF that ends the previous part's body goes out with this delimiter (RFC 2046 5.1.1).
  return Buffer.from(
    `${first ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${part.contentType}\r\n${location}\r\n`,
  );
}

function closeDelimiter(boundary: string, empty: boolean): Buffer {
  return Buffer.from(`${empty ? '' : '\r\n'}--${boundary}--\r\n`);
}

function bodyLength(boundary: string, parts: MultipartPart[]): number {
  let length = closeDelimiter(boundary, parts.length === 0).byteLength;
  parts.forEach((part, i) => (length += partHeader(boundary, part, i === 0).byteLength + part.size!));
  return length;
}

/** A part being sent: its body's chunks, the first one asked for as soon as the part was opened. */
interface OpenedPart {
  part: MultipartPart;
  chunks: AsyncIterator<LentBytes>;
  first: Promise<IteratorResult<LentBytes>> | undefined;
}

/** Stops a part's reads (closing its file); its first chunk, if read ahead and never sent, goes back. */
async function closePart(opened: OpenedPart | undefined): Promise<void> {
  if (!opened) return;
  const first = opened.first;
  opened.first = undefined;
  await first?.then(
    (result) => result.done || result.value.release(),
    () => undefined,
  );
  await opened.chunks.return?.().catch(() => undefined);
}

const nothingToGiveBack = () => undefined;

async function* notLent(body: Readable | AsyncIterable<Uint8Array>): AsyncGenerator<LentBytes> {
  for await (const chunk of body) yield { bytes: chunk as Uint8Array, release: nothingToGiveBack };
}

/**
 * The body as a byte stream, pulled as the sink drains. Each part is opened (and its first chunk read) while
 * the previous one is sent. Lent chunks are tracked by the offset where they end in the body: once the bytes
 * the sink has passed on (pushed, less what waits in this stream and in the sink) reach that offset, the
 * buffer goes back. A body destroyed early gives nothing back: a socket write may still hold the bytes.
 */
class MultipartStream extends Readable {
  private readonly parts: Iterator<MultipartPart> | AsyncIterator<MultipartPart>;
  private current: OpenedPart | undefined;
  private ahead: Promise<OpenedPart | undefined> | undefined;
  private headerPending = false;
  private first = true;
  private finished = false;
  private pulling = false;
  private pushedBytes = 0;
  private readonly lent: { end: number; chunk: LentBytes }[] = [];

  constructor(
    private readonly boundary: string,
    parts: Iterable<MultipartPart> | AsyncIterable<MultipartPart>,
    private readonly sink: MultipartSink | undefined,
  ) {
    super();
    this.parts =
      Symbol.asyncIterator in parts
        ? parts[Symbol.asyncIterator]()
        : (parts as Iterable<MultipartPart>)[Symbol.iterator]();
  }

  override _read(): void {
    if (this.pulling) return;
    this.pulling = true;
    this.pull().catch((error: unknown) => this.destroy(error as Error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    void closePart(this.current);
    void this.ahead?.then(closePart, () => undefined);
    void Promise.resolve(this.parts.return?.()).catch(() => undefined);
    this.current = this.ahead = undefined;
    // Ended whole: the sink's 'finish' gives the last buffers back. Otherwise they are dropped.
    if (error || !this.readableEnded) this.lent.length = 0;
    callback(error);
  }

  private async pull(): Promise<void> {
    this.giveBackSent();
    const pieces = await this.nextPieces();
    this.pulling = false;
    if (this.destroyed) {
      pieces?.lent?.release();
      return;
    }
    if (pieces === null) {
      this.sink?.once('finish', () => this.lent.splice(0).forEach(({ chunk }) => chunk.release()));
      this.push(null);
      return;
    }
    const { header, lent } = pieces;
    // Header and body in one socket call: the sink stays corked until this burst of work is over.
    if (header && lent && this.sink) {
      this.sink.cork();
      process.nextTick(() => this.sink!.uncork());
    }
    // Counted once pushed (in this stream's buffer or the sink's by then), so that what the sink has passed
    // on is never overestimated.
    if (header) {
      this.push(header);
      this.pushedBytes += header.byteLength;
    }
    if (lent) {
      this.push(lent.bytes);
      this.pushedBytes += lent.bytes.byteLength;
      if (this.sink) this.lent.push({ end: this.pushedBytes, chunk: lent });
    }
  }

  /** Gives back every lent buffer whose bytes the sink has passed on. */
  private giveBackSent(): void {
    if (!this.sink || this.lent.length === 0) return;
    const passedOn = this.pushedBytes - this.readableLength - this.sink.writableLength;
    while (this.lent.length > 0 && this.lent[0]!.end <= passedOn) this.lent.shift()!.chunk.release();
  }

  /** The next bytes of the body: a part's header and/or a chunk of its body, or null at the end. */
  private async nextPieces(): Promise<{ header?: Buffer; lent?: LentBytes } | null> {
    for (;;) {
      if (this.current === undefined) {
        const opened = await (this.ahead ?? this.openNext());
        this.ahead = undefined;
        if (this.destroyed) {
          void closePart(opened);
          return null;
        }
        if (opened === undefined) {
          if (this.finished) return null;
          this.finished = true;
          return { header: closeDelimiter(this.boundary, this.first) };
        }
        this.current = opened;
        this.headerPending = true;
      }
      const current = this.current;
      const result = await (current.first ?? current.chunks.next());
      current.first = undefined;
      if (this.destroyed) {
        // The client went away meanwhile: _destroy closed the part; this chunk was never pushed.
        if (!result.done) result.value.release();
        void closePart(current);
        return null;
      }
      const header = this.headerPending ? partHeader(this.boundary, current.part, this.first) : undefined;
      if (this.headerPending) {
        this.headerPending = false;
        this.first = false;
        // The next part's file is opened and read while this one is sent.
        this.ahead = this.openNext();
        this.ahead.catch(() => undefined);
      }
      if (result.done) this.current = undefined;
      if (!result.done) return header ? { header, lent: result.value } : { lent: result.value };
      if (header) return { header };
    }
  }

  private async openNext(): Promise<OpenedPart | undefined> {
    const next = await this.parts.next();
    if (next.done || this.destroyed) return undefined;
    const part = next.value;
    const chunks =
      this.sink && part.readLent ? part.readLent() : notLent(part.open())[Symbol.asyncIterator]();
    const first = chunks.next();
    first.catch(() => undefined);
    return { part, chunks, first };
  }
}
