/**
 * Turns any accepted `image` value into 8-bit pixels. Encoded bytes are decoded as Pillow decodes
 * them (./decode.ts, with the platform's codecs); decoded forms are read directly.
 */
import { errorOf, PIPELINE_ERROR_MESSAGE, SegmentAnything2Error } from '../errors.js';
import type { PixelImage } from '../pipeline/preprocess.js';
import { headerSize } from './header.js';
import { ImageFormatError } from './formats/raster.js';
import type { ImageInput, RawImage } from '../types.js';

import { MAX_IMAGE_PIXELS } from './limits.js';

export { MAX_IMAGE_PIXELS };

/** Decodes encoded image bytes (PNG, JPEG, GIF, WebP…) to pixels. */
export type BytesDecoder = (bytes: Uint8Array) => Promise<PixelImage>;
/** Reads pixels from a drawable browser object (ImageBitmap, canvas, `<img>`). */
export type DrawableReader = (drawable: CanvasImageSource | OffscreenCanvas) => Promise<PixelImage>;

/**
 * The runner's answer to an image Pillow cannot open (row 6): 500 with the route's default message;
 * `IMAGE_VALUE_ERROR`, 400 with the same message, where Pillow raised a ValueError (the route's
 * `ValueError` rule).
 */
export function imageDecodeError(cause: unknown): SegmentAnything2Error {
  const pillowValueError = cause instanceof ImageFormatError && cause.python === 'ValueError';
  return errorOf(pillowValueError ? 'IMAGE_VALUE_ERROR' : 'IMAGE_DECODE', PIPELINE_ERROR_MESSAGE, cause);
}

export function isRawImage(v: unknown): v is RawImage {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<RawImage>;
  return (r.data instanceof Uint8Array || r.data instanceof Uint8ClampedArray) && typeof r.width === 'number' && typeof r.height === 'number';
}

/** `raw` checked (positive integer size, 3 or 4 channels, enough bytes) as pixels; INVALID_IMAGE otherwise. */
export function fromRaw(raw: RawImage): PixelImage {
  const channels = raw.channels ?? 4;
  const { width, height, data } = raw;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || (channels !== 3 && channels !== 4)) {
    throw errorOf('INVALID_IMAGE', `image: raw pixels need positive integer width and height and 3 or 4 channels, got ${width}×${height}×${channels}.`);
  }
  if (data.length !== width * height * channels) {
    throw errorOf('INVALID_IMAGE', `image: ${width}×${height}×${channels} raw pixels need ${width * height * channels} bytes, got ${data.length}.`);
  }
  return { data, width, height, channels };
}

export function checkPixelCount(width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw imageDecodeError(new RangeError(`image of ${width}×${height} pixels exceeds the ${MAX_IMAGE_PIXELS}-pixel limit`));
  }
}

/** The encoded bytes of a Blob, ArrayBuffer or Uint8Array image; undefined for decoded forms. */
async function encodedBytes(image: unknown): Promise<Uint8Array | undefined> {
  if (image instanceof Uint8Array) return image;
  if (image instanceof ArrayBuffer) return new Uint8Array(image);
  if (typeof Blob !== 'undefined' && image instanceof Blob) return new Uint8Array(await image.arrayBuffer());
  return undefined;
}

/** Pixels for any accepted image value. */
export async function toPixels(image: ImageInput, decode: BytesDecoder, draw?: DrawableReader): Promise<PixelImage> {
  if (isRawImage(image)) return fromRaw(image);
  const bytes = await encodedBytes(image);
  if (bytes) {
    try {
      // A decompression bomb is refused from its header, before a decoder allocates its pixels.
      const declared = headerSize(bytes);
      if (declared) checkPixelCount(declared.width, declared.height);
      const pixels = await decode(bytes);
      checkPixelCount(pixels.width, pixels.height);
      return pixels;
    } catch (e) {
      throw SegmentAnything2Error.is(e) ? e : imageDecodeError(e);
    }
  }
  if (draw) return draw(image as CanvasImageSource);
  throw errorOf('INVALID_IMAGE', `image: unsupported value of type ${Object.prototype.toString.call(image)} on this platform.`);
}
