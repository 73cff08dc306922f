/**
 * lib/imaging public API: pixel data of stored instances — frames, decoding with the codecs, transcoding,
 * windowing and rendering to JPEG/PNG. Imports lib/dicom only.
 */
export { ImagingError, type ImagingErrorKind } from './imaging-error.js';
export { describePixels, type PixelDescription } from './pixel-description.js';
export { openStoredPixels, type StoredPixels } from './stored-pixels.js';
export { canDecode, decodeFrame, type NativeFrame } from './frame-decoder.js';
export { canEncode, encodeFrame } from './frame-encoder.js';
export { canTranscodeFrame, frameInSyntax } from './frame-transcoding.js';
export {
  FRAME_MEDIA_TYPES,
  UNCOMPRESSED_MEDIA_TYPE,
  EXPLICIT_VR_LITTLE_ENDIAN,
  frameMediaType,
} from './frame-media-types.js';
export { voiTransform, type VoiFunction, type VoiWindow } from './voi-window.js';
export { toDisplayPixels, type DisplayPixels } from './display-pixels.js';
export { renderFrame, DEFAULT_JPEG_QUALITY, type RenderOptions, type Viewport } from './render-frame.js';
