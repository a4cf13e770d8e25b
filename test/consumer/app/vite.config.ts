import { defineConfig } from 'vite';

// The README's set-up: cross-origin isolation, so that onnxruntime-web's WASM runs threads.
const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers },
  preview: { headers },
});
