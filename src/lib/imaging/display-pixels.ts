import type { NativeFrame } from './frame-decoder.js';
import { ImagingError } from './imaging-error.js';
import type { PixelDescription } from './pixel-description.js';
import { interleave } from './sample-layout.js';
import { fileWindow, rangeWindow, voiTransform, type VoiWindow } from './voi-window.js';

/** 8-bit samples ready for an image encoder: grey (1 channel) or RGB (3). */
export interface DisplayPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * The presentation of a native frame (PS3.3 C.11): monochrome through the modality LUT (rescale), the VOI LUT
 * (the given window, else the file's first, else the frame's range) and MONOCHROME1 inversion; colour as RGB.
 */
export function toDisplayPixels(frame: NativeFrame, window?: VoiWindow): DisplayPixels {
  const d = frame.description;
  const base = { width: d.columns, height: d.rows };
  const pi = d.photometricInterpretation;
  if (pi === 'MONOCHROME1' || pi === 'MONOCHROME2') {
    if (d.samplesPerPixel !== 1) throw new ImagingError('invalid', `${pi} with ${d.samplesPerPixel} samples`);
    return { ...base, channels: 1, data: grey(frame, window) };
  }
  if (d.samplesPerPixel !== 3) throw new ImagingError('unsupported', `rendering ${pi} is not supported`);
  if (pi === 'RGB') return { ...base, channels: 3, data: rgb8(frame) };
  if (pi === 'YBR_FULL') return { ...base, channels: 3, data: ybrToRgb(rgb8(frame), false) };
  if (pi === 'YBR_FULL_422') return { ...base, channels: 3, data: ybrToRgb(upsample422(frame), false) };
  if (pi === 'YBR_PARTIAL_422') return { ...base, channels: 3, data: ybrToRgb(upsample422(frame), true) };
  throw new ImagingError('unsupported', `rendering ${pi} is not supported`);
}

/** Stored values as signed numbers of Bits Stored bits (PS3.5 8.1.1), whatever the bits above High Bit hold. */
function storedValues(frame: NativeFrame): { values: ArrayLike<number>; min: number; max: number } {
  const d = frame.description;
  const { pixels } = frame;
  const count = d.rows * d.columns;
  if (d.bitsAllocated === 1) {
    const values = new Uint8Array(count);
    for (let i = 0; i < count; i++) values[i] = (pixels[i >> 3]! >> (i & 7)) & 1;
    return { values, min: 0, max: 1 };
  }
  const bytes = d.bitsAllocated / 8;
  const aligned = pixels.byteOffset % bytes === 0 ? pixels : pixels.slice();
  const raw =
    bytes === 1
      ? aligned.subarray(0, count)
      : bytes === 2
        ? new Uint16Array(aligned.buffer, aligned.byteOffset, count)
        : new Uint32Array(aligned.buffer, aligned.byteOffset, count);
  const bits = Math.min(d.bitsStored, 32);
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  const sign = d.pixelRepresentation === 1 ? 2 ** (bits - 1) : Infinity;
  const values = bits > 16 ? new Float64Array(count) : new Int32Array(count);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    let v = (raw[i]! & mask) >>> 0;
    if (v >= sign) v -= 2 * sign;
    values[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { values, min, max };
}

function grey(frame: NativeFrame, requested?: VoiWindow): Uint8Array {
  const d = frame.description;
  const { values, min, max } = storedValues(frame);
  const slope = d.rescaleSlope;
  const intercept = d.rescaleIntercept;
  const modality = (v: number) => v * slope + intercept;
  const lowest = Math.min(modality(min), modality(max));
  const highest = Math.max(modality(min), modality(max));
  const window = requested ?? fileWindow(d) ?? rangeWindow(lowest, highest);
  const voi = voiTransform(window);
  const invert = d.photometricInterpretation === 'MONOCHROME1';
  // One table entry per stored value present, so each pixel is a single lookup.
  const span = max - min + 1;
  const out = new Uint8Array(values.length);
  if (span <= 1 << 20) {
    const lut = new Uint8Array(span);
    for (let s = 0; s < span; s++) {
      const y = Math.round(voi(modality(s + min)));
      lut[s] = invert ? 255 - y : y;
    }
    for (let i = 0; i < values.length; i++) out[i] = lut[values[i]! - min]!;
  } else {
    for (let i = 0; i < values.length; i++) {
      const y = Math.round(voi(modality(values[i]!)));
      out[i] = invert ? 255 - y : y;
    }
  }
  return out;
}

/** Colour samples as 8 bits, colour-by-pixel; wider samples keep their top 8 bits of Bits Stored. */
function rgb8(frame: NativeFrame): Uint8Array {
  const d = frame.description;
  const pixels = d.planarConfiguration === 1 ? interleave(frame.pixels, d) : frame.pixels;
  const count = d.rows * d.columns * 3;
  if (d.bitsAllocated === 8) return pixels.subarray(0, count);
  const bytes = d.bitsAllocated / 8;
  const shift = Math.max(0, d.bitsStored - 8);
  const out = new Uint8Array(count);
  const view = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  for (let i = 0; i < count; i++) {
    const v = bytes === 2 ? view.getUint16(i * 2, true) : view.getUint32(i * 4, true);
    out[i] = Math.min(255, Math.floor(v / 2 ** shift));
  }
  return out;
}

/** Native 4:2:2 (Y1 Y2 Cb Cr for each pair of pixels, PS3.3 C.7.6.3.1.2) to three samples per pixel. */
function upsample422(frame: NativeFrame): Uint8Array {
  const d: PixelDescription = frame.description;
  if (d.bitsAllocated !== 8) throw new ImagingError('unsupported', 'YBR 4:2:2 with more than 8 bits');
  if (frame.pixels.length >= d.rows * d.columns * 3) return rgb8(frame); // already expanded by a decoder
  const count = d.rows * d.columns;
  const out = new Uint8Array(count * 3);
  const p = frame.pixels;
  for (let i = 0, j = 0; i + 1 < count + 1 && j + 3 < p.length; i += 2, j += 4) {
    const cb = p[j + 2]!;
    const cr = p[j + 3]!;
    out.set([p[j]!, cb, cr], i * 3);
    if (i + 1 < count) out.set([p[j + 1]!, cb, cr], (i + 1) * 3);
  }
  return out;
}

/** YCbCr to RGB (PS3.3 C.7.6.3.1.2): full range, or partial (Y 16..235, Cb/Cr 16..240). */
function ybrToRgb(ybr: Uint8Array, partial: boolean): Uint8Array {
  const out = new Uint8Array(ybr.length);
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let i = 0; i < ybr.length; i += 3) {
    const y = partial ? (ybr[i]! - 16) * (255 / 219) : ybr[i]!;
    const cb = (ybr[i + 1]! - 128) * (partial ? 255 / 224 : 1);
    const cr = (ybr[i + 2]! - 128) * (partial ? 255 / 224 : 1);
    out[i] = clamp(y + 1.402 * cr);
    out[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    out[i + 2] = clamp(y + 1.772 * cb);
  }
  return out;
}
