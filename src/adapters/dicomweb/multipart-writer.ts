import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

// A multipart/related response body (RFC 2387, PS3.18 8.6.1.2), written part by part: each part's body is
// opened only when the client has read the previous ones, so a study streams one instance at a time.

export interface MultipartPart {
  /** The part's Content-Type, e.g. 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1'. */
  contentType: string;
  /** Optional Content-Location of the part (PS3.18 8.6.1.2.1). */
  location?: string;
  /** Opened just before the part is reached (the next part is opened while this one is sent). */
  open(): Readable | AsyncIterable<Uint8Array>;
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

/** A multipart/related body of `parts`, whose root media type is `type` ('application/dicom'). */
export function multipartRelated(
  type: string,
  parts: Iterable<MultipartPart> | AsyncIterable<MultipartPart>,
): MultipartBody {
  const boundary = `lantern-${randomUUID()}`;
  return {
    contentType: `multipart/related; type="${type}"; boundary=${boundary}`,
    // objectMode off: chunks are bytes, and Readable.from pulls the next one only as the socket drains.
    body: Readable.from(partsOf(boundary, parts), { objectMode: false }),
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

async function* partsOf(
  boundary: string,
  parts: Iterable<MultipartPart> | AsyncIterable<MultipartPart>,
): AsyncGenerator<Uint8Array> {
  let first = true;
  let next: { part: MultipartPart; body: Readable | AsyncIterable<Uint8Array> } | undefined;
  try {
    for await (const part of parts) {
      // Open this part now and send the previous one: the file's open and first read overlap the sending.
      const opened = { part, body: openAhead(part) };
      if (next) {
        yield partHeader(boundary, next.part, first);
        first = false;
        for await (const chunk of next.body) yield chunk as Uint8Array;
      }
      next = opened;
    }
    if (next) {
      yield partHeader(boundary, next.part, first);
      first = false;
      const body = next.body;
      next = undefined;
      for await (const chunk of body) yield chunk as Uint8Array;
    }
    yield closeDelimiter(boundary, first);
  } finally {
    // A client that went away: the part opened ahead is closed too.
    if (next && next.body instanceof Readable) next.body.destroy();
  }
}

function openAhead(part: MultipartPart): Readable | AsyncIterable<Uint8Array> {
  const body = part.open();
  if (body instanceof Readable) body.read(0);
  return body;
}
