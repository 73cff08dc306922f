import { nativeCodecs } from './codec-modules.js';
import { ImagingError } from './imaging-error.js';
import type { NativeFrame } from './frame-decoder.js';

type Codecs = Awaited<ReturnType<typeof nativeCodecs>>;
type Encoder = (
  codecs: Codecs,
  context: InstanceType<Codecs['Context']>,
  frame: NativeFrame,
) => Uint8Array | undefined;

/**
 * The transfer syntaxes a frame can be encoded to (dcmjs-codecs), each with the parameters used: lossless where
 * the syntax allows it (also for .91 and .203, which permit reversible coding), quality 90 for JPEG baseline.
 */
const ENCODERS = new Map<string, Encoder>([
  ['1.2.840.10008.1.2.5', ({ NativeCodecs }, c) => NativeCodecs.encodeRle(c).getEncodedBuffer()],
  ['1.2.840.10008.1.2.4.50', (codecs, c, f) => encodeJpegBaseline(codecs, c, f)],
  // Selection value 1 is also a valid process 14 stream (PS3.5 A.4.1).
  ['1.2.840.10008.1.2.4.57', ({ NativeCodecs }, c) => jpegLossless(NativeCodecs, c)],
  ['1.2.840.10008.1.2.4.70', ({ NativeCodecs }, c) => jpegLossless(NativeCodecs, c)],
  [
    '1.2.840.10008.1.2.4.80',
    ({ NativeCodecs }, c) => NativeCodecs.encodeJpegLs(c, { lossy: false }).getEncodedBuffer(),
  ],
  [
    '1.2.840.10008.1.2.4.90',
    ({ NativeCodecs }, c) => NativeCodecs.encodeJpeg2000(c, { lossy: false }).getEncodedBuffer(),
  ],
  [
    '1.2.840.10008.1.2.4.91',
    ({ NativeCodecs }, c) => NativeCodecs.encodeJpeg2000(c, { lossy: false }).getEncodedBuffer(),
  ],
  [
    '1.2.840.10008.1.2.4.201',
    ({ NativeCodecs }, c) => NativeCodecs.encodeHtJpeg2000(c, { lossy: false }).getEncodedBuffer(),
  ],
  [
    '1.2.840.10008.1.2.4.203',
    ({ NativeCodecs }, c) => NativeCodecs.encodeHtJpeg2000(c, { lossy: false }).getEncodedBuffer(),
  ],
]);

function jpegLossless(NativeCodecs: Codecs['NativeCodecs'], c: InstanceType<Codecs['Context']>) {
  return NativeCodecs.encodeJpeg(c, { lossy: false, predictor: 1, pointTransform: 0 }).getEncodedBuffer();
}

function encodeJpegBaseline(codecs: Codecs, c: InstanceType<Codecs['Context']>, frame: NativeFrame) {
  if (frame.description.bitsStored > 8) {
    throw new ImagingError('unsupported', 'JPEG baseline holds 8-bit samples only');
  }
  return codecs.NativeCodecs.encodeJpeg(c, { lossy: true, quality: 90 }).getEncodedBuffer();
}

export function canEncode(transferSyntaxUid: string): boolean {
  return ENCODERS.has(transferSyntaxUid);
}

/** Encodes a native frame (colour-by-pixel) as one codestream of the given transfer syntax. */
export async function encodeFrame(frame: NativeFrame, transferSyntaxUid: string): Promise<Uint8Array> {
  const encoder = ENCODERS.get(transferSyntaxUid);
  if (!encoder) throw new ImagingError('unsupported', `no encoder for transfer syntax ${transferSyntaxUid}`);
  const codecs = await nativeCodecs();
  const d = frame.description;
  if (
    d.bitsAllocated === 1 ||
    d.photometricInterpretation === 'YBR_FULL_422' ||
    d.planarConfiguration === 1
  ) {
    throw new ImagingError(
      'unsupported',
      `cannot encode ${d.photometricInterpretation} frames as ${transferSyntaxUid}`,
    );
  }
  const context = new codecs.Context({
    width: d.columns,
    height: d.rows,
    bitsAllocated: d.bitsAllocated,
    bitsStored: d.bitsStored,
    samplesPerPixel: d.samplesPerPixel,
    pixelRepresentation: d.pixelRepresentation,
    planarConfiguration: 0,
    photometricInterpretation: d.photometricInterpretation,
    decodedBuffer: frame.pixels,
  });
  const encoded = encoder(codecs, context, frame);
  if (!encoded || encoded.length === 0) {
    throw new ImagingError('unsupported', `the ${transferSyntaxUid} encoder produced nothing for this frame`);
  }
  return encoded;
}
