/**
 * lib/imaging public API: pixel data of stored instances — frames, decoding with the codecs, transcoding,
 * windowing and rendering to JPEG/PNG. Imports lib/dicom only.
 */
export {};
