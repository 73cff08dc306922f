import sharp from 'sharp';
import { decodeFrame } from './frame-decoder.js';
import { toDisplayPixels } from './display-pixels.js';
import { ImagingError } from './imaging-error.js';
import type { StoredPixels } from './stored-pixels.js';
import type { VoiWindow } from './voi-window.js';

/**
 * PS3.18 8.3.5.1.3: the rendered image is scaled to fit vw×vh, keeping its aspect ratio. The optional source
 * region is sx, sy (top left) and sw, sh; a negative sw or sh flips the image in that direction.
 */
export interface Viewport {
  width: number;
  height: number;
  region?: { x: number; y: number; width: number; height: number };
}

export interface RenderOptions {
  format: 'jpeg' | 'png';
  /** 1-based (default 1). */
  frameNumber?: number;
  window?: VoiWindow;
  viewport?: Viewport;
  /** JPEG quality 1-100 (default 90); PNG is lossless and ignores it. */
  quality?: number;
}

export const DEFAULT_JPEG_QUALITY = 90;

/** Renders one frame of a stored instance to a JPEG or PNG image. */
export async function renderFrame(pixels: StoredPixels, options: RenderOptions): Promise<Buffer> {
  const native = await decodeFrame(
    pixels.frame(options.frameNumber ?? 1),
    pixels.description,
    pixels.transferSyntaxUid,
  );
  const display = toDisplayPixels(native, options.window);
  let image = sharp(display.data, {
    raw: { width: display.width, height: display.height, channels: display.channels },
  });
  const viewport = options.viewport;
  if (viewport?.region) {
    const { x, y, width, height } = viewport.region;
    const left = Math.min(x, x + width);
    const top = Math.min(y, y + height);
    const region = {
      left: Math.max(0, Math.round(left)),
      top: Math.max(0, Math.round(top)),
      width: Math.round(Math.min(Math.abs(width), display.width - Math.max(0, left))),
      height: Math.round(Math.min(Math.abs(height), display.height - Math.max(0, top))),
    };
    if (region.width < 1 || region.height < 1) {
      throw new ImagingError('invalid', 'the viewport region lies outside the image');
    }
    image = image.extract(region);
    if (width < 0) image = image.flop();
    if (height < 0) image = image.flip();
  }
  if (viewport) image = image.resize(viewport.width, viewport.height, { fit: 'inside' });
  // Grey stays one channel in the output (sharp would otherwise write sRGB).
  if (display.channels === 1) image = image.toColourspace('b-w');
  return options.format === 'png'
    ? image.png({ compressionLevel: 3 }).toBuffer()
    : image.jpeg({ quality: options.quality ?? DEFAULT_JPEG_QUALITY }).toBuffer();
}
