import type { InstanceIdentity, StoreOptions } from '../../archive/index.js';
import { LanternError } from '../../platform/errors.js';

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
 * One STOW-RS part on its way into the archive: the bytes pass straight through, counted against the
 * instance limit. The archive reads the header (once, off the JavaScript thread) and tells its UIDs
 * (`identity`, for the response), and refuses an instance of another study or whose file meta names
 * another instance before anything is committed.
 */
export class StowInstanceSource {
  /** What the archive has told of the instance in this part (its UIDs, once its header is read). */
  identity: InstanceIdentity = {};

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
      yield chunk;
    }
  }

  /** What the archive is asked to check of the instance, and told back. */
  storeOptions(): StoreOptions {
    return {
      expectedStudy: this.options.studyInstanceUid,
      fileMetaMustMatch: true,
      onIdentified: (identity) => (this.identity = identity),
    };
  }
}
