import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

// A multipart/related response body (RFC 2387, PS3.18 8.6.1.2), written part by part: each part's body is
// opened only when the client has read the previous ones, so a study streams one instance at a time.

export interface MultipartPart {
  /** The part's Content-Type, e.g. 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1'. */
  contentType: string;
  /** Optional Content-Location of the part (PS3.18 8.6.1.2.1). */
  location?: string;
  /** Opened when the part is reached. */
  open(): Readable | AsyncIterable<Uint8Array>;
}

export interface MultipartBody {
  /** The response Content-Type: multipart/related with the root type and the boundary. */
  contentType: string;
  body: Readable;
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
  };
}

async function* partsOf(
  boundary: string,
  parts: Iterable<MultipartPart> | AsyncIterable<MultipartPart>,
): AsyncGenerator<Uint8Array> {
  for await (const part of parts) {
    const location = part.location ? `Content-Location: ${part.location}\r\n` : '';
    yield Buffer.from(`--${boundary}\r\nContent-Type: ${part.contentType}\r\n${location}\r\n`);
    for await (const chunk of part.open()) yield chunk as Uint8Array;
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}
