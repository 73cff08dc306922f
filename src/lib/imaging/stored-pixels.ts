import { isBigEndian, isEncapsulated, readDataset, scanHeader, type DataElements } from '../dicom/index.js';
import { groupFrames, joinFragments, readEncapsulatedItems } from './encapsulated-frames.js';
import { ImagingError } from './imaging-error.js';
import { describePixels, nativeFrameBits, type PixelDescription } from './pixel-description.js';

/** The pixel data of one stored instance, frame by frame, without decoding. */
export interface StoredPixels {
  transferSyntaxUid: string;
  description: PixelDescription;
  /** Frames present: Number of Frames, or fewer when the file holds fewer. */
  frameCount: number;
  /** Whether frame(n) returns a codestream (encapsulated syntaxes) rather than native samples. */
  encapsulated: boolean;
  /**
   * Frame n (1-based): one frame's codestream for encapsulated syntaxes, else its native samples in little-endian
   * order (PS3.5 8.1.1; big-endian words swapped).
   */
  frame(frameNumber: number): Uint8Array;
}

const PIXEL_DATA = '7FE00010';

/** Locates the pixel data of a Part 10 file or bare data set held in memory (one instance). */
export function openStoredPixels(bytes: Uint8Array): StoredPixels {
  const header = scanHeader(bytes);
  if (header.pixelDataOffset !== undefined) {
    const description = describePixels((tag) => header.strings(tag));
    const ts = header.transferSyntaxUid;
    if (isEncapsulated(ts)) {
      const groups = groupFrames(
        readEncapsulatedItems(bytes, header.pixelDataOffset),
        description.numberOfFrames,
      );
      return encapsulatedPixels(ts, description, groups);
    }
    const length = header.pixelDataLength ?? bytes.length - header.pixelDataOffset;
    const data = bytes.subarray(header.pixelDataOffset, header.pixelDataOffset + length);
    return nativePixels(ts, description, data, isBigEndian(ts));
  }
  // Deflated data sets are inflated whole by the full reader; files without pixel data end here too.
  const dataset = readDataset(bytes);
  const element = dataset.elements[PIXEL_DATA];
  if (!element) throw new ImagingError('invalid', 'the instance has no Pixel Data (7FE0,0010)');
  const description = describePixels(textReader(dataset.elements));
  if (element.fragments) {
    const items = { basicOffsetTable: element.basicOffsetTable ?? [], fragments: element.fragments };
    return encapsulatedPixels(
      dataset.transferSyntaxUid,
      description,
      groupFrames(items, description.numberOfFrames),
    );
  }
  // The full reader has already put binary values in little-endian order.
  return nativePixels(dataset.transferSyntaxUid, description, element.bytes ?? new Uint8Array(0), false);
}

function textReader(elements: DataElements) {
  return (tag: string) => (elements[tag]?.Value ?? []).map((v) => String(v));
}

function checkFrame(frameNumber: number, frameCount: number): number {
  if (!Number.isInteger(frameNumber) || frameNumber < 1 || frameNumber > frameCount) {
    throw new ImagingError(
      'not-found',
      `frame ${frameNumber} does not exist (the instance has ${frameCount})`,
    );
  }
  return frameNumber - 1;
}

function encapsulatedPixels(
  transferSyntaxUid: string,
  description: PixelDescription,
  groups: Uint8Array[][],
): StoredPixels {
  const frameCount = Math.min(groups.length, description.numberOfFrames);
  return {
    transferSyntaxUid,
    description,
    frameCount,
    encapsulated: true,
    frame: (n) => joinFragments(groups[checkFrame(n, frameCount)]!),
  };
}

function nativePixels(
  transferSyntaxUid: string,
  description: PixelDescription,
  data: Uint8Array,
  bigEndian: boolean,
): StoredPixels {
  const { bitsAllocated } = description;
  const frameBits = nativeFrameBits(description);
  const frameCount = Math.min(description.numberOfFrames, Math.floor((data.length * 8) / frameBits));
  return {
    transferSyntaxUid,
    description,
    frameCount,
    encapsulated: false,
    frame: (n) => {
      const index = checkFrame(n, frameCount);
      if (bitsAllocated === 1) return bitPackedFrame(data, index * frameBits, frameBits);
      const size = frameBits / 8;
      const frame = data.subarray(index * size, (index + 1) * size);
      return bigEndian && bitsAllocated > 8 ? swapWords(frame, bitsAllocated / 8) : frame;
    },
  };
}

/** 1-bit frames need not start on a byte boundary (PS3.5 8.1.1); shift them so they do. */
function bitPackedFrame(data: Uint8Array, startBit: number, bits: number): Uint8Array {
  const shift = startBit % 8;
  const first = Math.floor(startBit / 8);
  const out = new Uint8Array(Math.ceil(bits / 8));
  for (let i = 0; i < out.length; i++) {
    const low = data[first + i] ?? 0;
    const high = data[first + i + 1] ?? 0;
    out[i] = shift === 0 ? low : ((low >>> shift) | (high << (8 - shift))) & 0xff;
  }
  return out;
}

function swapWords(frame: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let i = 0; i + size <= frame.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = frame[i + size - 1 - j]!;
  }
  return out;
}
