import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI is served by `lantern serve` from web/dist; `npm run dev` proxies the server's doors instead.
const server = process.env.LANTERN_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // The DICOM image loader starts its decoders as module workers (new Worker(new URL(...), { type: 'module' })).
  worker: { format: 'es' },
  optimizeDeps: {
    // Pre-bundling would rewrite the loader's worker URL; dicom-parser is CommonJS and needs it.
    exclude: ['@cornerstonejs/dicom-image-loader'],
    include: ['dicom-parser'],
  },
  build: {
    outDir: 'dist',
    target: 'es2022',
    // Cornerstone with vtk.js and the WASM codecs is large by nature; the viewer chunk loads on demand.
    chunkSizeWarningLimit: 6000,
  },
  server: {
    proxy: Object.fromEntries(['/api', '/dicom-web', '/wado', '/fhir', '/health'].map((p) => [p, server])),
  },
});
