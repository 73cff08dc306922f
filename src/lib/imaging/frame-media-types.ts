// Media types of single-frame pixel data and the transfer syntaxes each may carry (PS3.18 8.7.3.3.2,
// Table 8.7.3-2). The first syntax of each is its default.
export const UNCOMPRESSED_MEDIA_TYPE = 'application/octet-stream';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export const FRAME_MEDIA_TYPES: ReadonlyMap<string, readonly string[]> = new Map([
  // Implicit VR Little Endian frames are the same bytes, so that syntax is accepted as well.
  [UNCOMPRESSED_MEDIA_TYPE, [EXPLICIT_VR_LITTLE_ENDIAN, '1.2.840.10008.1.2']],
  [
    'image/jpeg',
    ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'],
  ],
  ['image/jls', ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81']],
  ['image/jp2', ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91']],
  ['image/jpx', ['1.2.840.10008.1.2.4.92', '1.2.840.10008.1.2.4.93']],
  ['image/jphc', ['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203']],
  ['image/jxl', ['1.2.840.10008.1.2.4.110', '1.2.840.10008.1.2.4.111', '1.2.840.10008.1.2.4.112']],
  ['image/dicom-rle', ['1.2.840.10008.1.2.5']],
]);

/** The media type a frame in this transfer syntax is sent as; native syntaxes are application/octet-stream. */
export function frameMediaType(transferSyntaxUid: string): string | undefined {
  for (const [mediaType, syntaxes] of FRAME_MEDIA_TYPES) {
    if (syntaxes.includes(transferSyntaxUid)) return mediaType;
  }
  return undefined;
}
