import { ImagingError } from './imaging-error.js';

/** The Image Pixel module (PS3.3 C.7.6.3) and the transforms rendering needs (C.11.1, C.11.2). */
export interface PixelDescription {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  photometricInterpretation: string;
  /** 0 colour-by-pixel, 1 colour-by-plane (PS3.3 C.7.6.3.1.3). */
  planarConfiguration: number;
  numberOfFrames: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** From the file, in the order given; empty when the file has none. */
  windowCenters: number[];
  windowWidths: number[];
  voiLutFunction: string;
}

/** Reads one attribute's values as text, as lib/dicom's header scan returns them. */
export type AttributeReader = (tag: string) => string[];

function integer(read: AttributeReader, tag: string, name: string, fallback?: number): number {
  const text = read(tag)[0];
  const value = text === undefined || text.trim() === '' ? fallback : Number(text);
  if (value === undefined || !Number.isInteger(value) || value < 0) {
    throw new ImagingError('invalid', `${name} (${tag}) is missing or invalid`);
  }
  return value;
}

function decimals(read: AttributeReader, tag: string): number[] {
  return read(tag)
    .map((text) => Number(text))
    .filter((n) => Number.isFinite(n));
}

export function describePixels(read: AttributeReader): PixelDescription {
  const bitsAllocated = integer(read, '00280100', 'Bits Allocated');
  const bitsStored = integer(read, '00280101', 'Bits Stored', bitsAllocated);
  const slope = decimals(read, '00281053')[0];
  return {
    rows: integer(read, '00280010', 'Rows'),
    columns: integer(read, '00280011', 'Columns'),
    samplesPerPixel: integer(read, '00280002', 'Samples per Pixel', 1),
    bitsAllocated,
    bitsStored,
    highBit: integer(read, '00280102', 'High Bit', bitsStored - 1),
    pixelRepresentation: integer(read, '00280103', 'Pixel Representation', 0),
    photometricInterpretation: (read('00280004')[0] ?? 'MONOCHROME2').trim().toUpperCase(),
    planarConfiguration: integer(read, '00280006', 'Planar Configuration', 0),
    // IS may be empty or absent for single-frame objects (PS3.3 C.7.6.6).
    numberOfFrames: Math.max(1, integer(read, '00280008', 'Number of Frames', 1)),
    rescaleSlope: slope === undefined || slope === 0 ? 1 : slope,
    rescaleIntercept: decimals(read, '00281052')[0] ?? 0,
    windowCenters: decimals(read, '00281050'),
    windowWidths: decimals(read, '00281051'),
    voiLutFunction: (read('00281056')[0] ?? 'LINEAR').trim().toUpperCase(),
  };
}

/**
 * Bits of one native frame (PS3.5 8.1.1). Native YBR_FULL_422 keeps two luminance and two chrominance samples for
 * each pair of pixels (PS3.3 C.7.6.3.1.2), so two samples a pixel rather than three.
 */
export function nativeFrameBits(d: PixelDescription): number {
  const samples = d.photometricInterpretation === 'YBR_FULL_422' ? 2 : d.samplesPerPixel;
  return d.rows * d.columns * samples * d.bitsAllocated;
}
