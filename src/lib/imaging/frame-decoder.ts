import { isEncapsulated } from '../dicom/index.js';
import { charls, libjpegTurbo, nativeCodecs, openjpeg, openjph } from './codec-modules.js';
import { ImagingError } from './imaging-error.js';
import type { PixelDescription } from './pixel-description.js';
import { interleave } from './sample-layout.js';

/** A frame as native samples: little endian, and colour-by-pixel whenever it was decoded. */
export interface NativeFrame {
  pixels: Uint8Array;
  /** The stored description, with what decoding changed: photometric interpretation, planar configuration. */
  description: PixelDescription;
}

type Decoder = (encoded: Uint8Array, d: PixelDescription) => Promise<NativeFrame>;

const JPEG_LS = ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'];
const JPEG_2000 = [
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.92',
  '1.2.840.10008.1.2.4.93',
];
const HTJ2K = ['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'];
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
const JPEG_LOSSLESS = ['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'];
const RLE = '1.2.840.10008.1.2.5';
const ENCAPSULATED_UNCOMPRESSED = '1.2.840.10008.1.2.1.98';

const DECODERS = new Map<string, Decoder>([
  ...JPEG_LS.map((uid): [string, Decoder] => [uid, decodeJpegLs]),
  ...JPEG_2000.map((uid): [string, Decoder] => [uid, (e, d) => decodeJ2k(e, d, 'openjpeg')]),
  ...HTJ2K.map((uid): [string, Decoder] => [uid, (e, d) => decodeJ2k(e, d, 'openjph')]),
  [JPEG_BASELINE, decodeJpeg8],
  // libjpeg-turbo's 8-bit build is the fast path; 12-bit process 4 goes to dcmjs-codecs' libjpeg.
  [JPEG_EXTENDED, (e, d) => (d.bitsStored <= 8 ? decodeJpeg8(e, d) : decodeWithDcmjsCodecs(e, d, 'jpeg'))],
  ...JPEG_LOSSLESS.map((uid): [string, Decoder] => [uid, (e, d) => decodeWithDcmjsCodecs(e, d, 'jpeg')]),
  [RLE, (e, d) => decodeWithDcmjsCodecs(e, d, 'rle')],
  [ENCAPSULATED_UNCOMPRESSED, async (e, d) => ({ pixels: e, description: d })],
]);

/** Whether frames stored in this transfer syntax can be decoded to native samples. */
export function canDecode(transferSyntaxUid: string): boolean {
  return !isEncapsulated(transferSyntaxUid) || DECODERS.has(transferSyntaxUid);
}

/** Decodes one frame from its stored form; native frames are returned as they are. */
export async function decodeFrame(
  frame: Uint8Array,
  description: PixelDescription,
  transferSyntaxUid: string,
): Promise<NativeFrame> {
  if (!isEncapsulated(transferSyntaxUid)) return { pixels: frame, description };
  const decoder = DECODERS.get(transferSyntaxUid);
  if (!decoder) throw new ImagingError('unsupported', `no decoder for transfer syntax ${transferSyntaxUid}`);
  try {
    return await decoder(frame, description);
  } catch (error) {
    if (error instanceof ImagingError) throw error;
    throw new ImagingError('invalid', `frame could not be decoded (${transferSyntaxUid}): ${String(error)}`);
  }
}

function checkSize(info: CodecFrameInfo, d: PixelDescription): void {
  if (info.width !== d.columns || info.height !== d.rows || info.componentCount !== d.samplesPerPixel) {
    throw new ImagingError(
      'invalid',
      `codestream is ${info.width}×${info.height}×${info.componentCount}, the data set says ` +
        `${d.columns}×${d.rows}×${d.samplesPerPixel}`,
    );
  }
}

/** Runs a cornerstone decoder and copies its output out of WASM memory before freeing it. */
function runDecoder<D extends CodecDecoder>(
  decoder: D,
  encoded: Uint8Array,
  decode: (decoder: D) => void,
): { info: CodecFrameInfo; pixels: Uint8Array; decoder: D } {
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decode(decoder);
    return { info: decoder.getFrameInfo(), pixels: decoder.getDecodedBuffer().slice(), decoder };
  } finally {
    decoder.delete();
  }
}

/** Decoded samples are widened or narrowed to the stored Bits Allocated, so the frame matches the data set. */
function toBitsAllocated(pixels: Uint8Array, bitsPerSample: number, d: PixelDescription): Uint8Array {
  const have = bitsPerSample <= 8 ? 1 : 2;
  const want = d.bitsAllocated <= 8 ? 1 : d.bitsAllocated / 8;
  if (have === want) return pixels;
  if (have === 1 && want === 2) {
    const out = new Uint16Array(pixels.length);
    out.set(pixels);
    return new Uint8Array(out.buffer);
  }
  throw new ImagingError(
    'unsupported',
    `decoded ${bitsPerSample}-bit samples for Bits Allocated ${d.bitsAllocated}`,
  );
}

async function decodeJpegLs(encoded: Uint8Array, d: PixelDescription): Promise<NativeFrame> {
  const module = await charls();
  let interleaveMode = 2;
  const { info, pixels } = runDecoder(new module.JpegLSDecoder(), encoded, (decoder) => {
    decoder.decode();
    interleaveMode = decoder.getInterleaveMode();
  });
  checkSize(info, d);
  const bytes = toBitsAllocated(pixels, info.bitsPerSample, d);
  // Interleave mode 0 keeps the planes apart; DICOM's frame is then colour-by-plane, which we interleave.
  const out = d.samplesPerPixel > 1 && interleaveMode === 0 ? interleave(bytes, d) : bytes;
  return { pixels: out, description: { ...d, planarConfiguration: 0 } };
}

async function decodeJ2k(
  encoded: Uint8Array,
  d: PixelDescription,
  which: 'openjpeg' | 'openjph',
): Promise<NativeFrame> {
  const decoder =
    which === 'openjpeg' ? new (await openjpeg()).J2KDecoder() : new (await openjph()).HTJ2KDecoder();
  const { info, pixels } = runDecoder(decoder, encoded, (dec) => dec.decode());
  checkSize(info, d);
  // The decoder applies the inverse multi-component transform, so YBR_ICT and YBR_RCT come out as RGB.
  const photometric = /^YBR_(ICT|RCT)$/.test(d.photometricInterpretation)
    ? 'RGB'
    : d.photometricInterpretation;
  return {
    pixels: toBitsAllocated(pixels, info.bitsPerSample, d),
    description: { ...d, photometricInterpretation: photometric, planarConfiguration: 0 },
  };
}

async function decodeJpeg8(encoded: Uint8Array, d: PixelDescription): Promise<NativeFrame> {
  const module = await libjpegTurbo();
  const { info, pixels } = runDecoder(new module.JPEGDecoder(), encoded, (dec) => dec.decode());
  checkSize(info, d);
  return {
    pixels: toBitsAllocated(pixels, info.bitsPerSample, d),
    // libjpeg converts YCbCr to RGB (and upsamples 4:2:2) as it decodes (PS3.5 8.2.1).
    description: { ...d, photometricInterpretation: decodedJpegPhotometric(d), planarConfiguration: 0 },
  };
}

function decodedJpegPhotometric(d: PixelDescription): string {
  return d.samplesPerPixel === 3 && d.photometricInterpretation.startsWith('YBR')
    ? 'RGB'
    : d.photometricInterpretation;
}

async function decodeWithDcmjsCodecs(
  encoded: Uint8Array,
  d: PixelDescription,
  codec: 'jpeg' | 'rle',
): Promise<NativeFrame> {
  const { Context, NativeCodecs } = await nativeCodecs();
  const context = new Context({
    width: d.columns,
    height: d.rows,
    bitsAllocated: d.bitsAllocated,
    bitsStored: d.bitsStored,
    samplesPerPixel: d.samplesPerPixel,
    pixelRepresentation: d.pixelRepresentation,
    planarConfiguration: d.planarConfiguration,
    photometricInterpretation: d.photometricInterpretation,
    encodedBuffer: encoded,
  });
  if (codec === 'rle') {
    const decoded = NativeCodecs.decodeRle(context);
    const pixels = decoded.getDecodedBuffer() ?? new Uint8Array(0);
    // RLE segments are colour-by-plane; the frame is returned colour-by-pixel like every decoded frame.
    const planar = decoded.getPlanarConfiguration() === 1 && d.samplesPerPixel > 1;
    return { pixels: planar ? interleave(pixels, d) : pixels, description: { ...d, planarConfiguration: 0 } };
  }
  const decoded = NativeCodecs.decodeJpeg(context, { convertColorspaceToRgb: true });
  return {
    pixels: decoded.getDecodedBuffer() ?? new Uint8Array(0),
    description: { ...d, photometricInterpretation: decodedJpegPhotometric(d), planarConfiguration: 0 },
  };
}
