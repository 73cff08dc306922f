import { EXPLICIT_VR_LITTLE_ENDIAN } from '../../lib/dicom/index.js';
import { covers, type MediaRange } from './accept-negotiation.js';

// PS3.18 8.7.3: which multipart/related payloads a WADO-RS Accept header allows. Lantern returns what it
// stored and does not transcode, so a transfer-syntax parameter must be '*' or the stored syntax.

/**
 * Whether the Accept ranges allow `multipart/related; type="{rootType}"` with parts in `syntaxes`.
 * A range without a transfer-syntax parameter takes the stored syntax as it is.
 */
export function acceptsMultipart(
  ranges: MediaRange[],
  rootType: string,
  syntaxes: readonly string[],
): boolean {
  return ranges.some((range) => {
    if (range.mediaType === '*/*' || range.mediaType === 'multipart/*') return true;
    if (range.mediaType !== 'multipart/related') return false;
    const type = range.params.type?.toLowerCase();
    if (type !== undefined && !covers({ mediaType: type, params: {}, q: 1 }, rootType)) return false;
    const syntax = range.params['transfer-syntax'];
    return syntax === undefined || syntax === '*' || syntaxes.every((s) => s === syntax);
  });
}

/** The transfer syntax a bulk data value is in: native values are little endian; encapsulated stay. */
export function bulkDataSyntax(storedSyntax: string, encapsulatedPixelData: boolean): string {
  return encapsulatedPixelData ? storedSyntax : EXPLICIT_VR_LITTLE_ENDIAN;
}
