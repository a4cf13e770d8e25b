/** Cache keys: SHA-256, through `crypto.subtle`, of the model id and the image's bytes or pixels. */
import { sha256Hex } from '../bytes.js';
import type { PixelImage } from '../pipeline/preprocess.js';

/**
 * The embedding cache key of an image for a model. Encoded bytes and decoded pixels are keyed apart
 * (the same picture as a PNG and as pixels gets two keys); the image data is hashed once, without
 * copying it.
 */
export async function contentKey(modelId: string, image: Uint8Array | PixelImage): Promise<string> {
  const data = image instanceof Uint8Array ? image : image.data;
  const kind = image instanceof Uint8Array ? 'bytes' : `pixels ${image.width}x${image.height}x${image.channels}`;
  const dataHash = await sha256Hex(data);
  return sha256Hex(new TextEncoder().encode(`${modelId}\n${kind}\n${dataHash}`));
}
