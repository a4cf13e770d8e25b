import { defineConfig } from 'vite';

// The README's Vite set-up. Cross-origin isolation, so that onnxruntime-web's WASM runs threads:
const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers },
  preview: { headers },
  // ES module workers, so that onnxruntime-web keeps its own chunk in the build: its WASM threads
  // start from that chunk's URL (with the default 'iife' they would start the app's worker instead).
  worker: { format: 'es' },
});
