import type { PixelDescription } from './pixel-description.js';

/** Colour-by-plane (RRR…GGG…BBB…) to colour-by-pixel (RGBRGB…), PS3.3 C.7.6.3.1.3. */
export function interleave(planar: Uint8Array, d: PixelDescription): Uint8Array {
  const bytes = d.bitsAllocated <= 8 ? 1 : d.bitsAllocated / 8;
  const samples = d.samplesPerPixel;
  const pixels = d.rows * d.columns;
  const out = new Uint8Array(pixels * samples * bytes);
  for (let s = 0; s < samples; s++) {
    for (let p = 0; p < pixels; p++) {
      const from = (s * pixels + p) * bytes;
      const to = (p * samples + s) * bytes;
      for (let b = 0; b < bytes; b++) out[to + b] = planar[from + b]!;
    }
  }
  return out;
}
