import { defineConfig } from 'vitest/config';

/** Cross-origin isolation, so that WASM threads work (browser-testing.md §5). */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { headers: isolation },
  preview: { headers: isolation },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One file at a time: on 2 cores, a browser test's timing checks (long tasks) must not compete
    // with another file's model runs.
    fileParallelism: false,
    globalSetup: ['test/setup/write-fixtures.ts'],
  },
});
