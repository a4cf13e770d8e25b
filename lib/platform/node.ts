/**
 * Node: onnxruntime-web's Node build (wasm execution provider), model files from disk or http(s),
 * and images decoded with sharp (libvips), which reads PNG, JPEG, GIF, WebP, TIFF and AVIF. Like
 * Pillow in the runner, no EXIF rotation is applied and alpha is dropped, not composited.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_MODEL, embeddedModelSpec } from '../models/model-spec.js';
import { MAX_IMAGE_PIXELS, toPixels } from '../image/pixels.js';
import type { PixelImage } from '../pipeline/preprocess.js';
import { errorText } from '../errors.js';
import { downloadError, downloadModelFile } from '../models/download.js';
import { bytesOf, type Platform } from './platform.js';

async function readUrl(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  if (/^https?:/i.test(url)) return downloadModelFile(url, { signal });
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  try {
    return new Uint8Array(await readFile(path, { signal }));
  } catch (cause) {
    throw downloadError(`Could not read ${path}: ${errorText(cause)}`, cause);
  }
}

async function decodeWithSharp(bytes: Uint8Array): Promise<PixelImage> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_IMAGE_PIXELS, pages: 1 })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`sharp returned ${info.channels} channels, expected 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
}

export const nodePlatform: Platform = {
  name: 'node',
  loadOrt: () => import('onnxruntime-web'),
  readBytes: (source, signal) => bytesOf(source, (url) => readUrl(url, signal)),
  cores: availableParallelism,
  // Node's WASM threads need no isolation headers.
  crossOriginIsolated: () => true,
  webGpuUnavailableReason: async () => 'Node has no WebGPU here; onnxruntime-web runs wasm in Node.',
  // Node has no Cache Storage; downloads are checked but not persisted.
  modelStore: () => undefined,
  decodeImage: (image) => toPixels(image, decodeWithSharp),
  embeddedModel() {
    const root = dirname(createRequire(import.meta.url).resolve(`${EMBEDDED_MODEL.package}/package.json`));
    return embeddedModelSpec(join(root, EMBEDDED_MODEL.encoderFile), join(root, EMBEDDED_MODEL.decoderFile));
  },
};
