import type { Archive } from '../../archive/index.js';
import type { RequestContext } from '../../platform/context.js';
import { unsupported } from '../../platform/errors.js';
import { MultipartError, type MultipartReader } from './multipart-reader.js';
import { StowInstanceSource, type InstanceSourceOptions } from './stow-instance-source.js';
import { partFailure, type PartOutcome } from './stow-response.js';

/**
 * Stores accepted before the next part is read, per request. Each part is staged as it streams in
 * (one at a time: they arrive one after the other), but the commit and index write of one overlap the
 * staging of the next, so that a single request keeps the transaction batcher busy.
 */
const MAX_STORES_IN_FLIGHT = 8;

export interface UploadOptions extends InstanceSourceOptions {
  /** The request's `type` parameter: the media type of parts that do not name one. */
  defaultPartType: string;
}

export interface UploadResult {
  /** What became of each part read, in order. */
  outcomes: PartOutcome[];
  /** The body broke off or went over a limit; the parts before it are in `outcomes`. */
  error?: MultipartError;
}

/**
 * Reads the parts of a STOW-RS body one by one into archive.storeInstance, each as it arrives, and
 * resolves with what became of every part once every store has finished (stored and indexed, or failed).
 */
export async function storeParts(
  archive: Archive,
  ctx: RequestContext,
  reader: MultipartReader,
  options: UploadOptions,
): Promise<UploadResult> {
  const outcomes: PartOutcome[] = [];
  const inFlight = new Set<Promise<void>>();
  let bodyError: MultipartError | undefined;
  try {
    for (let number = 1; ; number++) {
      const part = await reader.nextPart();
      if (!part) break;
      const mediaType = part.mediaType || options.defaultPartType;
      if (mediaType !== 'application/dicom') {
        // Its bytes are skipped by the next nextPart().
        const message = `part media type ${mediaType} is not supported (only application/dicom)`;
        outcomes.push(partFailure(number, {}, unsupported(message)));
        continue;
      }
      const source = new StowInstanceSource(part.body, options);
      let partRead!: () => void;
      const consumed = new Promise<void>((resolve) => (partRead = resolve));
      const chunks = async function* () {
        try {
          yield* source.chunks();
        } finally {
          partRead();
        }
      };
      const store = archive.storeInstance(ctx, chunks(), source.storeOptions()).then(
        (stored) => void outcomes.push({ part: number, stored }),
        (error: unknown) => void outcomes.push(partFailure(number, source.identity, error)),
      );
      const tracked = store.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      // The next part is read only when this one has been (or a store that failed early stopped reading it).
      await Promise.race([consumed, store]);
      if (inFlight.size >= MAX_STORES_IN_FLIGHT) await Promise.race(inFlight);
    }
    await reader.drain();
  } catch (error) {
    if (!(error instanceof MultipartError)) throw error;
    bodyError = error;
  } finally {
    await Promise.all(inFlight);
  }
  outcomes.sort((a, b) => a.part - b.part);
  return bodyError ? { outcomes, error: bodyError } : { outcomes };
}
