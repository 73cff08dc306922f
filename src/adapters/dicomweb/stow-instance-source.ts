import { DicomParseError, scanHeaderPrefix, type DicomHeader } from '../../lib/dicom/index.js';
import { conflict, invalid, LanternError } from '../../platform/errors.js';

/**
 * Prefix sizes at which the header is looked for: from 8 KiB (an image's header is a few KiB), doubling, to
 * 1 MiB. Only that many bytes are scanned, whatever has arrived: a view of the first piece when it holds them.
 */
const FIRST_SCAN_BYTES = 8 * 1024;
const MAX_SCAN_BYTES = 1024 * 1024;

/** What is known of the instance in a part once its header has been read. */
export interface PartIdentity {
  sopClassUid?: string;
  sopInstanceUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
}

/** A part larger than the instance limit: that instance fails, the request goes on. */
export class InstanceTooLargeError extends LanternError {
  constructor(
    readonly setting: string,
    limit: number,
  ) {
    super('storage-full', `the instance exceeds ${setting} (${limit} bytes)`);
  }
}

export interface InstanceSourceOptions {
  maxBytes: number;
  /** The name of the setting that sets maxBytes, for the failure reason. */
  maxBytesSetting: string;
  /** POST /studies/{StudyInstanceUID}: every instance must belong to this study (PS3.18 10.5.1). */
  studyInstanceUid?: string;
}

/**
 * One STOW-RS part on its way into the archive. The bytes pass straight through; a copy of the first ones
 * is kept until the header can be read, so that the instance's UIDs are known for the response and a
 * wrong study (or a file meta naming another instance) fails the store before its bytes are complete,
 * which is before anything is committed.
 */
export class StowInstanceSource {
  identity: PartIdentity = {};
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private nextScanAt = FIRST_SCAN_BYTES;
  private header: DicomHeader | undefined;
  /** The header is known or will not be learnt from the prefix (unreadable, or larger than 1 MiB). */
  private settled = false;

  constructor(
    private readonly body: AsyncIterable<Uint8Array>,
    private readonly options: InstanceSourceOptions,
  ) {}

  async *chunks(): AsyncGenerator<Uint8Array> {
    let size = 0;
    for await (const chunk of this.body) {
      size += chunk.byteLength;
      if (size > this.options.maxBytes) {
        throw new InstanceTooLargeError(this.options.maxBytesSetting, this.options.maxBytes);
      }
      if (!this.settled) this.keep(chunk);
      yield chunk;
    }
    if (!this.settled) this.scan(true);
    this.check();
  }

  private keep(chunk: Uint8Array): void {
    this.head.push(chunk);
    this.headBytes += chunk.byteLength;
    if (this.headBytes < this.nextScanAt) return;
    // The first nextScanAt bytes hold most headers; failing that, everything that has arrived is scanned.
    this.scan(false, this.nextScanAt);
    if (!this.settled && this.headBytes > this.nextScanAt)
      this.scan(false, Math.min(this.headBytes, MAX_SCAN_BYTES));
    if (this.settled) return this.check();
    this.nextScanAt = this.headBytes * 2;
    if (this.headBytes >= MAX_SCAN_BYTES) this.settle(undefined);
  }

  private scan(complete: boolean, upTo = this.headBytes): void {
    const first = this.head[0];
    const prefix =
      first !== undefined && first.byteLength >= upTo
        ? first.subarray(0, upTo)
        : Buffer.concat(this.head).subarray(0, upTo);
    try {
      const header = scanHeaderPrefix(prefix, complete ? prefix.length : Number.MAX_SAFE_INTEGER);
      if (header || complete) this.settle(header);
    } catch (error) {
      // Unreadable: the archive reads it again and gives the reason; here it only means no UIDs are known.
      if (!(error instanceof DicomParseError)) throw error;
      this.settle(undefined);
    }
  }

  private settle(header: DicomHeader | undefined): void {
    this.settled = true;
    this.head = [];
    this.header = header;
    if (!header) return;
    this.identity = {
      sopClassUid: header.sopClassUid,
      sopInstanceUid: header.sopInstanceUid,
      studyInstanceUid: header.string('0020000D'),
      seriesInstanceUid: header.string('0020000E'),
    };
  }

  /** Throws, failing the store, when the instance is not one this request may store. */
  private check(): void {
    const wanted = this.options.studyInstanceUid;
    const header = this.header;
    if (wanted !== undefined && this.identity.studyInstanceUid !== wanted) {
      if (!header) throw invalid(`cannot read the Study Instance UID in the first ${MAX_SCAN_BYTES} bytes`);
      throw conflict(`the instance belongs to study ${this.identity.studyInstanceUid}, not ${wanted}`);
    }
    // PS3.10 7.1: the file meta names the instance the data set is.
    const metaInstance = header?.hasFileMeta ? header.string('00020003') : undefined;
    const dataSetInstance = header?.string('00080018');
    if (metaInstance && dataSetInstance && metaInstance !== dataSetInstance) {
      throw conflict(`the file meta names instance ${metaInstance}, the data set is ${dataSetInstance}`);
    }
  }
}
