/**
 * Node: onnxruntime-web's Node build for WASM and its WebGPU build where the caller has provided a
 * `navigator.gpu` (./node-webgpu.ts), model files from disk or http(s), and images decoded as the
 * runner's Pillow decodes them (./node-image.ts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_MODEL, embeddedModelSpec } from '../models/model-spec.js';
import { toPixels } from '../image/pixels.js';
import { decodeNodeImage } from './node-image.js';
import { errorText } from '../errors.js';
import { downloadError, downloadModelFile } from '../models/download.js';
import { bytesOf, type Platform } from './platform.js';
import { loadWebGpuOrt, nodeWebGpuUnavailableReason } from './node-webgpu.js';

async function readUrl(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  if (/^https?:/i.test(url)) return downloadModelFile(url, { signal });
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  try {
    return new Uint8Array(await readFile(path, { signal }));
  } catch (cause) {
    throw downloadError(`Could not read ${path}: ${errorText(cause)}`, cause);
  }
}

export const nodePlatform: Platform = {
  name: 'node',
  // `onnxruntime-web/webgpu` resolves to its browser bundle in Node too (it has no `node` condition).
  loadOrt: (device) => (device === 'webgpu' ? loadWebGpuOrt() : import('onnxruntime-web')),
  readBytes: (source, signal) => bytesOf(source, (url) => readUrl(url, signal)),
  cores: availableParallelism,
  // Node's WASM threads need no isolation headers.
  crossOriginIsolated: () => true,
  // The WebGPU build starts its WASM threads as Web Workers, which Node lacks: one thread there.
  wasmThreadLimit: (device) => (device === 'webgpu' ? 1 : Infinity),
  webGpuUnavailableReason: nodeWebGpuUnavailableReason,
  // Node has no Cache Storage; downloads are checked but not persisted.
  modelStore: () => undefined,
  decodeImage: (image) => toPixels(image, decodeNodeImage),
  embeddedModel() {
    const root = dirname(createRequire(import.meta.url).resolve(`${EMBEDDED_MODEL.package}/package.json`));
    return embeddedModelSpec(join(root, EMBEDDED_MODEL.encoderFile), join(root, EMBEDDED_MODEL.decoderFile));
  },
  // Node's allocator reuses freed blocks, so new response buffers are cheap: no helper thread.
  pageFaulter: () => undefined,
};
