import {
  canTranscodeFrame,
  EXPLICIT_VR_LITTLE_ENDIAN,
  FRAME_MEDIA_TYPES,
  frameMediaType,
  UNCOMPRESSED_MEDIA_TYPE,
} from '../../lib/imaging/index.js';
import type { MediaRange } from './accept-negotiation.js';

// PS3.18 8.7.3.3.2 and 8.7.3.5: what a frames request gets for an instance stored in a given transfer syntax.
// Default (no Accept, */*, multipart/related without type): uncompressed little endian. A media type without a
// transfer-syntax parameter, or with '*', gets the stored syntax when that is of the same media type (no
// pretend lossless copy of a lossy original), else the media type's default syntax. Anything else is transcoded
// when a codec exists.

export interface FrameRepresentation {
  mediaType: string;
  transferSyntaxUid: string;
  /** Whether the client asked for multipart/related (otherwise a single frame may be sent as a single part). */
  multipart: boolean;
}

function forMediaType(mediaType: string, syntax: string | undefined, stored: string): string | undefined {
  const syntaxes = FRAME_MEDIA_TYPES.get(mediaType);
  if (!syntaxes) return undefined;
  if (mediaType === UNCOMPRESSED_MEDIA_TYPE && (syntax === undefined || syntax === '*')) {
    return EXPLICIT_VR_LITTLE_ENDIAN;
  }
  if (syntax === undefined || syntax === '*') return syntaxes.includes(stored) ? stored : syntaxes[0];
  return syntaxes.includes(syntax) ? syntax : undefined;
}

function candidate(range: MediaRange, stored: string): Omit<FrameRepresentation, 'multipart'> | undefined {
  const syntax = range.params['transfer-syntax'];
  const multipart = range.mediaType === 'multipart/related';
  const type = multipart ? range.params.type?.toLowerCase() : range.mediaType;
  if (range.mediaType === '*/*' || range.mediaType === 'multipart/*' || (multipart && type === undefined)) {
    if (syntax !== undefined && syntax !== '*') {
      const mediaType = frameMediaType(syntax);
      return mediaType ? { mediaType, transferSyntaxUid: syntax } : undefined;
    }
    if (syntax === '*' && frameMediaType(stored)) {
      return { mediaType: frameMediaType(stored)!, transferSyntaxUid: stored };
    }
    return { mediaType: UNCOMPRESSED_MEDIA_TYPE, transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN };
  }
  if (type === undefined) return undefined;
  const transferSyntaxUid = forMediaType(type, syntax, stored);
  return transferSyntaxUid ? { mediaType: type, transferSyntaxUid } : undefined;
}

/** The first acceptable representation that can be produced from `stored`, in the client's order. */
export function negotiateFrames(ranges: MediaRange[], stored: string): FrameRepresentation | undefined {
  for (const range of ranges) {
    const choice = candidate(range, stored);
    if (choice && canTranscodeFrame(stored, choice.transferSyntaxUid)) {
      // Only a concrete single-part media type (image/jls, application/octet-stream) asks for a bare part.
      return { ...choice, multipart: !FRAME_MEDIA_TYPES.has(range.mediaType) };
    }
  }
  return undefined;
}
