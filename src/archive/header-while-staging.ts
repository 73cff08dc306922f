import { DicomParseError, scanHeader } from '../lib/dicom/index.js';
import { readInstanceAttributes, type InstanceAttributes } from './instance-attributes.js';
import { metadataAtIngest } from './instance-metadata.js';

export interface HeaderFacts {
  attributes: InstanceAttributes;
  /** The WADO-RS metadata when the header holds the whole data set (see metadataAtIngest). */
  metadata: string | undefined;
}

// The header of an image is a few KiB; past this the scan after staging (which may read the file) takes over.
const MAX_PREFIX_BYTES = 128 * 1024;
const FIRST_TRY_BYTES = 4 * 1024;

/**
 * Reads an instance's header while its pixel data is still arriving. A sender waits for each C-STORE
 * answer, so work done after the last byte delays the next instance; the header scan, the index attributes
 * and the metadata JSON (0.4-0.6 ms a CT image here) need only the first few KiB, and are done as soon as
 * the pixel data element is reached. What depends on the file's size (a truncation check, whether the
 * metadata is complete) is computed for the size the header announces and used only if the file has it.
 * Anything unusual (no pixel data, a parse error, a header past 128 KiB) yields nothing: the caller then
 * reads the header after staging, as before, and reports errors from there.
 */
export class HeaderWhileStaging {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private nextTry = FIRST_TRY_BYTES;
  private finished = false;
  private facts: HeaderFacts | undefined;
  /** The file size the facts were computed for; undefined when they hold for any size. */
  private assumedSize: number | undefined;

  constructor(private readonly transferSyntaxUid: string | undefined) {}

  /** The same bytes, looked at on their way through. */
  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (!this.finished) this.add(chunk);
      yield chunk;
    }
  }

  /** The facts for a staged file of `size` bytes, when the early read found them valid for it. */
  result(size: number): HeaderFacts | undefined {
    if (this.assumedSize !== undefined && this.assumedSize !== size) return undefined;
    return this.facts;
  }

  private add(chunk: Uint8Array): void {
    this.parts.push(chunk);
    this.bytes += chunk.byteLength;
    if (this.bytes < this.nextTry) return;
    if (this.bytes > MAX_PREFIX_BYTES) return this.stop();
    const prefix = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [prefix];
    this.nextTry = this.bytes * 2;
    try {
      const header = scanHeader(prefix, { transferSyntaxUid: this.transferSyntaxUid });
      if (header.pixelDataOffset === undefined) return; // not yet at the pixel data, or there is none
      const { pixelDataOffset, pixelDataLength } = header;
      this.assumedSize = pixelDataLength === undefined ? undefined : pixelDataOffset + pixelDataLength;
      // Without a defined pixel data length neither result depends on the size.
      const size = this.assumedSize ?? Number.MAX_SAFE_INTEGER;
      this.facts = { attributes: readInstanceAttributes(header, size), metadata: metadata(header, size) };
      this.stop();
    } catch (error) {
      if (!(error instanceof DicomParseError && error.truncated)) this.stop();
    }
  }

  private stop(): void {
    this.finished = true;
    this.parts = [];
  }
}

function metadata(header: Parameters<typeof metadataAtIngest>[0], size: number): string | undefined {
  try {
    return metadataAtIngest(header, size);
  } catch {
    return undefined;
  }
}
