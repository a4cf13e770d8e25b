/**
 * Browsers' codecs for decoding like Pillow (lib/image/decode.ts): DecompressionStream for PNG data,
 * and createImageBitmap for JPEG and WebP with colour-space conversion off (the samples as stored,
 * as Pillow gives them). Chromium applies EXIF orientation whatever `imageOrientation` says (its
 * `'none'` now means `'from-image'`), so a JPEG's orientation tag is set to 1 in a copy of the bytes
 * first; a truncated JPEG gets the end-of-image marker that libjpeg inserts for Pillow, which
 * Chromium would otherwise refuse.
 */
import { decodeLikePillow, type ImageCodecs, type NativeFormat } from '../image/decode.js';
import { jpegForBrowser } from '../image/formats/jpeg.js';
import type { PixelImage } from '../pipeline/preprocess.js';

/** Inflates as far as the data goes (a truncated stream keeps what it decoded), stopping at `limit` bytes. */
async function inflate(zlib: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  // Errors surface on the readable side; the writer's own rejections carry nothing more.
  writer.write(zlib as BufferSource).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const out = new Uint8Array(limit);
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      out.set(value.subarray(0, limit - size), size);
      size += Math.min(value.length, limit - size);
    }
  } catch {
    // Truncated or corrupt: keep what was decoded.
  } finally {
    reader.cancel().catch(() => {});
  }
  return out.subarray(0, size);
}

/** An ImageBitmap or other drawable as 8-bit RGBA through a 2D canvas. */
export async function readDrawable(source: CanvasImageSource | OffscreenCanvas): Promise<PixelImage> {
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

async function native(bytes: Uint8Array, format: NativeFormat): Promise<PixelImage> {
  const input = format === 'jpeg' ? jpegForBrowser(bytes) : bytes;
  const bitmap = await createImageBitmap(new Blob([input as BlobPart]), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  try {
    return await readDrawable(bitmap);
  } finally {
    bitmap.close();
  }
}

export const browserCodecs: ImageCodecs = { inflate, native };

/** Encoded bytes to the pixels Pillow gives the runner. */
export const decodeBrowserImage = (bytes: Uint8Array) => decodeLikePillow(bytes, browserCodecs);
