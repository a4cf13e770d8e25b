/**
 * The one place where a request's `image` is resolved: a handle to its cached embedding, anything
 * else to a snapshot of its bytes or pixels, its cache key, and (unless the image is cached) its
 * pixels. Decoding happens here, so that the runner's order holds: an undecodable image (row 6)
 * is refused before the prompts are checked (row 7), and both before anything is encoded.
 */
import { errorOf } from '../errors.js';
import type { PixelImage } from '../pipeline/preprocess.js';
import { copyImageBuffers } from '../image/snapshot.js';
import type { ImageHandle, ImageInput } from '../types.js';
import { contentKey } from './content-key.js';

/** An image ready for the cache: its key, and its pixels when they were needed. */
export interface ResolvedImage {
  readonly key: string;
  /** Whether `image` was a handle: its embedding must already be cached. */
  readonly handle: boolean;
  /** The snapshot's pixels, decoded; absent when the image was cached (or being encoded) when resolved. */
  readonly pixels?: PixelImage;
  /** Decodes the snapshot again (if its cache entry went away after it was resolved). */
  readonly decode: () => Promise<PixelImage>;
}

/**
 * Whether `value` is an {@link ImageHandle}: a plain object (as `setImage` returns it, also after a
 * structured clone) with a string `id` and no pixel data. Images are never plain objects, except
 * {@link RawImage}, which has `data`, so a canvas, `<img>`, ImageBitmap, ImageData or Blob is never
 * taken for a handle whatever its properties (an element's `id`, say).
 */
export function isImageHandle(value: unknown): value is ImageHandle {
  return Object.prototype.toString.call(value) === '[object Object]' && typeof (value as ImageHandle).id === 'string' && !('data' in (value as object));
}

/**
 * A copy of the caller's image that later writes to the caller's buffers cannot reach: what is
 * hashed is what is decoded, encoded and cached. Buffers are copied in the caller's own tick (before
 * any await), so a buffer reused right after the call returns is never read; drawables (canvas,
 * ImageBitmap, `<img>`) are read into new pixels.
 */
function snapshot(image: ImageInput, decodeImage: (image: ImageInput) => Promise<PixelImage>): Promise<Uint8Array | PixelImage> {
  const copied = copyImageBuffers(image);
  if (copied?.image instanceof Uint8Array) return Promise.resolve(copied.image);
  if (typeof Blob !== 'undefined' && image instanceof Blob) return image.arrayBuffer().then((b) => new Uint8Array(b));
  // Raw pixels are checked and read from the copy; drawables into new pixels.
  return decodeImage(copied?.image ?? image);
}

/**
 * Resolves `image` for model `modelId`. `known(key)` tells whether the cache holds (or is computing)
 * an embedding, in which case encoded bytes are not decoded.
 */
export async function resolveImage(
  image: ImageInput | ImageHandle,
  modelId: string,
  decodeImage: (image: ImageInput) => Promise<PixelImage>,
  known: (key: string) => boolean,
): Promise<ResolvedImage> {
  if (isImageHandle(image)) {
    if (!known(image.id)) throw noImageError(image.id);
    return { key: image.id, handle: true, decode: () => Promise.reject(noImageError(image.id)) };
  }
  const snap = await snapshot(image, decodeImage);
  const key = await contentKey(modelId, snap);
  if (!(snap instanceof Uint8Array)) return { key, handle: false, pixels: snap, decode: async () => snap };
  const decode = () => decodeImage(snap);
  return { key, handle: false, pixels: known(key) ? undefined : await decode(), decode };
}

export function noImageError(id: string) {
  return errorOf('NO_IMAGE', `image: no cached image has the id ${id}; send the image itself, or call setImage again.`);
}
