import type { PixelDescription } from './pixel-description.js';

/** VOI LUT Function (PS3.3 C.11.2.1.3), as the window parameter of PS3.18 8.3.5.1.4 names them. */
export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface VoiWindow {
  center: number;
  width: number;
  voiFunction: VoiFunction;
}

function voiFunction(text: string): VoiFunction {
  return text === 'LINEAR_EXACT' || text === 'SIGMOID' ? text : 'LINEAR';
}

/** The first window the file gives (PS3.3 C.11.2.1.2), if any with a usable width. */
export function fileWindow(d: PixelDescription): VoiWindow | undefined {
  const center = d.windowCenters[0];
  const width = d.windowWidths[0];
  if (center === undefined || width === undefined || !(width > 0)) return undefined;
  return { center, width, voiFunction: voiFunction(d.voiLutFunction) };
}

/** A linear-exact window over the frame's range of modality values, for files that carry no window. */
export function rangeWindow(min: number, max: number): VoiWindow {
  return { center: (min + max) / 2, width: Math.max(max - min, 1), voiFunction: 'LINEAR_EXACT' };
}

/** Output 0..255 for modality value x (PS3.3 C.11.2.1.2.1 linear, C.11.2.1.3.2 linear exact, C.11.2.1.3.1 sigmoid). */
export function voiTransform(window: VoiWindow): (x: number) => number {
  const { center: c, width: w } = window;
  if (window.voiFunction === 'SIGMOID') return (x) => 255 / (1 + Math.exp((-4 * (x - c)) / w));
  if (window.voiFunction === 'LINEAR_EXACT') {
    return (x) => (x <= c - w / 2 ? 0 : x > c + w / 2 ? 255 : ((x - c) / w + 0.5) * 255);
  }
  const lower = c - 0.5 - (w - 1) / 2;
  const upper = c - 0.5 + (w - 1) / 2;
  // A width of 1 is a threshold at the center (the formula's denominator would be 0).
  if (w <= 1) return (x) => (x <= lower ? 0 : 255);
  return (x) => (x <= lower ? 0 : x > upper ? 255 : ((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
}
