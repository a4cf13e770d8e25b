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

/**
 * An unpremultiplied ImageBitmap's RGBA as stored, through WebGL 2 (a 2D canvas premultiplies, which
 * loses the colour under transparent pixels that Pillow keeps); undefined where WebGL 2 is missing.
 */
function readUnpremultiplied(bitmap: ImageBitmap): PixelImage | undefined {
  const { width, height } = bitmap;
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2', { premultipliedAlpha: false, antialias: false });
  if (!gl) return undefined;
  const texture = gl.createTexture();
  const framebuffer = gl.createFramebuffer();
  try {
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) return undefined;
    const data = new Uint8Array(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, data);
    return gl.getError() === gl.NO_ERROR ? { data, width, height, channels: 4 } : undefined;
  } finally {
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

async function native(bytes: Uint8Array, format: NativeFormat): Promise<PixelImage> {
  const input = format === 'jpeg' ? jpegForBrowser(bytes) : bytes;
  const bitmap = await createImageBitmap(new Blob([input as BlobPart]), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  try {
    // JPEG has no alpha: the 2D canvas reads it exactly. WebP may have alpha.
    return (format === 'jpeg' ? undefined : readUnpremultiplied(bitmap)) ?? (await readDrawable(bitmap));
  } finally {
    bitmap.close();
  }
}

export const browserCodecs: ImageCodecs = { inflate, native };

/** Encoded bytes to the pixels Pillow gives the runner. */
export const decodeBrowserImage = (bytes: Uint8Array) => decodeLikePillow(bytes, browserCodecs);
