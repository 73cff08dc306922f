import { isEncapsulated } from '../dicom/index.js';
import { canDecode, decodeFrame } from './frame-decoder.js';
import { canEncode, encodeFrame } from './frame-encoder.js';
import { ImagingError } from './imaging-error.js';
import type { StoredPixels } from './stored-pixels.js';

/**
 * Whether a frame stored in `from` can be sent in `to`: as stored, decoded to native little endian, or decoded
 * and encoded again.
 */
export function canTranscodeFrame(from: string, to: string): boolean {
  if (from === to) return true;
  if (!isEncapsulated(to)) return canDecode(from);
  return canDecode(from) && canEncode(to);
}

/**
 * Frame n in transfer syntax `to`: the stored codestream when the syntax is the stored one, native samples (little
 * endian, colour-by-pixel when decoded) for a native syntax, otherwise decoded and encoded again.
 */
export async function frameInSyntax(
  pixels: StoredPixels,
  frameNumber: number,
  to: string,
): Promise<Uint8Array> {
  const stored = pixels.frame(frameNumber);
  if (to === pixels.transferSyntaxUid || (!pixels.encapsulated && !isEncapsulated(to))) return stored;
  if (!canTranscodeFrame(pixels.transferSyntaxUid, to)) {
    throw new ImagingError('unsupported', `cannot transcode ${pixels.transferSyntaxUid} frames to ${to}`);
  }
  const native = await decodeFrame(stored, pixels.description, pixels.transferSyntaxUid);
  return isEncapsulated(to) ? encodeFrame(native, to) : native.pixels;
}
