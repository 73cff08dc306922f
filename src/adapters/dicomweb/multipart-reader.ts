import * as Multipasta from 'multipasta';

// A pull-based multipart (RFC 2046 5.1, RFC 2387) reader on multipasta's push parser: the body is read
// only when the consumer asks for the next piece of a part, so a slow consumer slows the socket down
// (backpressure) and at most one body chunk's worth of part data is ever queued.

export type MultipartFailure = 'malformed' | 'body-too-large' | 'too-many-parts';

export class MultipartError extends Error {
  constructor(
    readonly failure: MultipartFailure,
    message: string,
  ) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface MultipartLimits {
  /** Bytes of the whole body, delimiters included. */
  maxBodyBytes: number;
  maxParts: number;
}

export interface MultipartPart {
  /** The part's media type, lower case, without parameters; '' when the part has no Content-Type. */
  mediaType: string;
  parameters: Record<string, string>;
  headers: Record<string, string | string[]>;
  /** The part's bytes as they arrive; ends at the next delimiter. May be left unread: the next part skips it. */
  body: AsyncIterable<Uint8Array>;
}

const DASH = Buffer.from('-');

type ParserEvent =
  | { kind: 'part'; info: Multipasta.PartInfo }
  | { kind: 'data'; chunk: Uint8Array }
  | { kind: 'part-end' }
  | { kind: 'done' }
  | { kind: 'error'; error: MultipartError };

/** Reads the parts of a multipart body one after the other. */
export class MultipartReader {
  private readonly source: AsyncIterator<Uint8Array>;
  private readonly parser: Multipasta.Parser;
  private readonly events: ParserEvent[] = [];
  private received = 0;
  private finished = false;
  private failed: MultipartError | undefined;
  /** Counts parts handed out, so that a stale part body cannot read a later part's bytes. */
  private partNumber = 0;
  private inPart = false;
  /** The parser has reported the close delimiter or an error: later events are dropped. */
  private closed = false;
  private readonly closeMarker: Buffer;
  private recent = Buffer.alloc(0);
  private heldDash = false;

  constructor(
    body: AsyncIterable<Uint8Array>,
    boundary: string,
    private readonly limits: MultipartLimits,
  ) {
    this.source = body[Symbol.asyncIterator]();
    this.closeMarker = Buffer.from(`--${boundary}-`);
    const push = (event: ParserEvent) => this.push(event);
    this.parser = Multipasta.make({
      // multipasta reads the boundary from a Content-Type; give it one it cannot misread.
      headers: { 'content-type': `multipart/related; boundary="${boundary}"` },
      isFile: () => true, // every part streams; none is collected in memory as a form field
      maxParts: limits.maxParts,
      onFile: (info) => {
        push({ kind: 'part', info });
        return (chunk) => push(chunk === null ? { kind: 'part-end' } : { kind: 'data', chunk });
      },
      onField: () => undefined,
      onError: (error) => push({ kind: 'error', error: describe(error, limits) }),
      onDone: () => push({ kind: 'done' }),
    });
  }

  /** The next part, or undefined after the close delimiter. Skips what is left of the previous part. */
  async nextPart(): Promise<MultipartPart | undefined> {
    for (;;) {
      const event = await this.nextEvent();
      if (event.kind === 'done') return undefined;
      if (event.kind !== 'part') continue; // the unread rest of the previous part
      this.inPart = true;
      const number = ++this.partNumber;
      const contentType = event.info.headers['content-type'];
      return {
        mediaType: contentType === undefined ? '' : event.info.contentType,
        parameters: event.info.contentTypeParameters,
        headers: event.info.headers,
        body: this.partBody(number),
      };
    }
  }

  /** Reads and drops the rest of the body (after the close delimiter: the epilogue), up to the body limit. */
  async drain(): Promise<void> {
    for (;;) {
      const { value, done } = await this.source.next();
      if (done) return;
      this.count(value.byteLength);
    }
  }

  private async *partBody(number: number): AsyncGenerator<Uint8Array> {
    while (this.inPart && number === this.partNumber) {
      const event = await this.nextEvent();
      if (event.kind === 'data') {
        yield event.chunk;
      } else if (event.kind === 'part-end') {
        this.inPart = false;
      } else {
        // A part ends with a delimiter; anything else here means the body was cut short or is broken.
        throw this.fail(new MultipartError('malformed', 'the multipart body ended inside a part'));
      }
    }
  }

  private async nextEvent(): Promise<ParserEvent> {
    for (;;) {
      if (this.failed) throw this.failed;
      const event = this.events.shift();
      if (event) {
        if (event.kind === 'error') throw this.fail(event.error);
        if (event.kind === 'done') this.finished = true;
        if (event.kind === 'part-end') this.inPart = false;
        return event;
      }
      if (this.finished) return { kind: 'done' };
      await this.pull();
    }
  }

  private async pull(): Promise<void> {
    const { value, done } = await this.source.next();
    if (done) {
      if (this.heldDash) this.parser.write(DASH);
      this.parser.end();
      // Without a close delimiter the body is incomplete, whatever multipasta concluded.
      this.push({
        kind: 'error',
        error: new MultipartError('malformed', 'the multipart body ended before its close delimiter'),
      });
      return;
    }
    this.count(value.byteLength);
    this.write(value);
  }

  /**
   * multipasta 0.2.8 takes a close delimiter split between its two final dashes ("--b-" | "-") for a
   * part's headers. So a write that ends in "--<boundary>-" keeps that dash back for the next one.
   */
  private write(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.heldDash) {
      bytes = Buffer.concat([DASH, chunk]);
      this.heldDash = false;
    }
    const seen = Buffer.concat([this.recent, bytes.subarray(-this.closeMarker.length)]);
    this.recent = seen.subarray(-this.closeMarker.length);
    if (this.recent.equals(this.closeMarker)) {
      this.heldDash = true;
      bytes = bytes.subarray(0, -1);
    }
    if (bytes.byteLength > 0) this.parser.write(bytes);
  }

  /** After the close delimiter comes the epilogue, which is not parsed (multipasta reads it as headers). */
  private push(event: ParserEvent): void {
    if (this.closed) return;
    if (event.kind === 'done' || event.kind === 'error') this.closed = true;
    this.events.push(event);
  }

  private count(bytes: number): void {
    this.received += bytes;
    if (this.received > this.limits.maxBodyBytes) {
      throw this.fail(
        new MultipartError('body-too-large', `the body exceeds ${this.limits.maxBodyBytes} bytes`),
      );
    }
  }

  private fail(error: MultipartError): MultipartError {
    this.failed ??= error;
    return this.failed;
  }
}

function describe(error: Multipasta.MultipartError, limits: MultipartLimits): MultipartError {
  switch (error._tag) {
    case 'InvalidBoundary':
      return new MultipartError('malformed', 'the boundary parameter is not usable');
    case 'BadHeaders':
      return new MultipartError('malformed', `a part's headers are malformed (${error.error.reason})`);
    case 'EndNotReached':
      return new MultipartError('malformed', 'the multipart body ended before its close delimiter');
    case 'ReachedLimit':
      return error.limit === 'MaxParts'
        ? new MultipartError('too-many-parts', `the body has more than ${limits.maxParts} parts`)
        : new MultipartError('body-too-large', `multipart limit ${error.limit} reached`);
    case 'InvalidDisposition':
      return new MultipartError('malformed', 'a part has an invalid Content-Disposition');
  }
}

/** RFC 2046 5.1.1: 1 to 70 characters of a restricted set, not ending in a space. */
export function isValidBoundary(boundary: string): boolean {
  return /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary);
}
