/**
 * Copies of the caller's image buffers, taken synchronously so that a buffer reused as soon as a
 * call returns is never read: the engine hashes and caches what it copied, and the worker client
 * transfers its copy instead of cloning the caller's buffer later.
 */
import type { ImageHandle, ImageInput, RawImage } from '../types.js';

/** An image whose buffers were copied, and those buffers (transferable). */
export interface BufferSnapshot {
  readonly image: Uint8Array | RawImage;
  readonly buffers: ArrayBuffer[];
}

/**
 * A copy of encoded bytes (Uint8Array, ArrayBuffer) as a Uint8Array, or of raw pixels and
 * ImageData (whose fields are getters, so never spread) as a {@link RawImage}; undefined for every
 * other form (Blobs are immutable; drawables are read into new pixels by whoever decodes them).
 */
export function copyImageBuffers(image: ImageInput | ImageHandle): BufferSnapshot | undefined {
  // `new Uint8Array(view)` copies (a Node Buffer's slice() would not).
  if (image instanceof Uint8Array || image instanceof ArrayBuffer) {
    const copy = new Uint8Array(image instanceof ArrayBuffer ? image.slice(0) : image);
    return { image: copy, buffers: [copy.buffer] };
  }
  // A missing image (or any other non-object) is the engine's to refuse (422), not a TypeError here.
  if (typeof image !== 'object' || image === null) return undefined;
  const { data } = image as { data?: unknown };
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) return undefined;
  const raw = image as RawImage;
  const copy = data instanceof Uint8ClampedArray ? new Uint8ClampedArray(data) : new Uint8Array(data);
  const channels = raw.channels === undefined ? {} : { channels: raw.channels };
  return { image: { data: copy, width: raw.width, height: raw.height, ...channels }, buffers: [copy.buffer as ArrayBuffer] };
}
