/** Cache keys: SHA-256, through `crypto.subtle`, of the model id and the image's bytes or pixels. */
import type { PixelImage } from '../pipeline/preprocess.js';

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The embedding cache key of an image for a model. Encoded bytes and decoded pixels are keyed apart
 * (the same picture as a PNG and as pixels gets two keys); the image data is hashed once, without
 * copying it.
 */
export async function contentKey(modelId: string, image: Uint8Array | PixelImage): Promise<string> {
  const data = image instanceof Uint8Array ? image : image.data;
  const kind = image instanceof Uint8Array ? 'bytes' : `pixels ${image.width}x${image.height}x${image.channels}`;
  const dataHash = hex(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  const label = new TextEncoder().encode(`${modelId}\n${kind}\n${dataHash}`);
  return hex(await crypto.subtle.digest('SHA-256', label));
}
