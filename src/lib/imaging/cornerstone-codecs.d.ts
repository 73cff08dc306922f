// The slice of the @cornerstonejs/codec-* WASM builds that lib/imaging uses; they ship no type declarations.
interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** Every decoder: copy the codestream into WASM memory, decode, read the pixels back, delete. */
interface CodecDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface J2kDecoder extends CodecDecoder {
  /** Decodes at a lower resolution: each level halves width and height (JPEG 2000 wavelet levels). */
  decodeSubResolution(decompositionLevel: number, layer: number): void;
  getNumDecompositions(): number;
}

interface CodecModuleOptions {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

interface JlsDecoder extends CodecDecoder {
  /** 0: planes one after another, 1: line interleaved, 2: sample interleaved (ISO 14495-1). */
  getInterleaveMode(): number;
}

declare module '@cornerstonejs/codec-charls/wasmjs' {
  const factory: (options?: CodecModuleOptions) => Promise<{ JpegLSDecoder: new () => JlsDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  const factory: (options?: CodecModuleOptions) => Promise<{ J2KDecoder: new () => J2kDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: (options?: CodecModuleOptions) => Promise<{ HTJ2KDecoder: new () => J2kDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  const factory: (options?: CodecModuleOptions) => Promise<{ JPEGDecoder: new () => CodecDecoder }>;
  export default factory;
}
