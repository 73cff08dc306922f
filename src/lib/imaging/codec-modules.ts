// The WASM codec modules, each instantiated once on first use (28-105 ms each) and reused for every frame.
import charlsFactory from '@cornerstonejs/codec-charls/wasmjs';
import libjpegTurboFactory from '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs';
import openjpegFactory from '@cornerstonejs/codec-openjpeg/wasmjs';
import openjphFactory from '@cornerstonejs/codec-openjph/wasmjs';
import dcmjsCodecs from 'dcmjs-codecs';

// openjpeg prints an [INFO] line for every decode unless these are replaced. Emscripten turns the object it
// is given into the module itself, so each module needs an object of its own.
const quiet = () => ({ print: () => {}, printErr: () => {} });

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined; // a failed load may be retried by the next request
      throw error;
    });
    return loading;
  };
}

export const charls = once(() => charlsFactory(quiet()));
export const openjpeg = once(() => openjpegFactory(quiet()));
export const openjph = once(() => openjphFactory(quiet()));
export const libjpegTurbo = once(() => libjpegTurboFactory(quiet()));

/** dcmjs-codecs: RLE, JPEG lossless and 12-bit, and every encoder; its own WASM module. */
export const nativeCodecs = once(async () => {
  const { NativeCodecs } = dcmjsCodecs;
  if (!NativeCodecs.isInitialized()) await NativeCodecs.initializeAsync({ logCodecsInfo: false });
  return dcmjsCodecs;
});
