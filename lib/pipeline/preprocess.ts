/**
 * Image preprocessing for the two model families (docs/gateway-contract.md §4.1, docs/models.md §1).
 *
 * - SAM2: stretch to 1024×1024 (no aspect ratio kept, no padding) with the antialiased bilinear
 *   filter on [0, 1] floats, then ImageNet mean/std.
 * - SAM1 family: longest side to 1024 with Pillow's 8-bit bilinear resize, ImageNet mean/std on
 *   0–255 values, then zero padding at the bottom and right.
 *
 * Output is a float32 CHW tensor of 3×1024×1024.
 */
import { resizeAntialiased } from './resize.js';

/** Decoded 8-bit pixels, interleaved, RGB or RGBA. Alpha is ignored (Pillow's `convert("RGB")`). */
export interface PixelImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

export type ModelFamily = 'sam1' | 'sam2';

/** The encoder's square input side, for both families. */
export const MODEL_SIZE = 1024;
/** The decoder's low-res mask side. */
export const LOW_RES = 256;

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
/** The same statistics on the 0–255 scale, as Meta's SAM1 `pixel_mean` / `pixel_std` buffers. */
const PIXEL_MEAN = [123.675, 116.28, 103.53] as const;
const PIXEL_STD = [58.395, 57.12, 57.375] as const;

/** Where the original image sits in the 1024×1024 model input. */
export interface Geometry {
  readonly family: ModelFamily;
  /** Original image size, in pixels. */
  readonly width: number;
  readonly height: number;
  /** The resized image inside the model input: 1024×1024 for SAM2; longest side 1024 for SAM1. */
  readonly resizedWidth: number;
  readonly resizedHeight: number;
}

/** SAM1's `ResizeLongestSide.get_preprocess_shape`: `int(side * scale + 0.5)`, at least 1 pixel. */
export function geometryFor(family: ModelFamily, width: number, height: number): Geometry {
  if (family === 'sam2') return { family, width, height, resizedWidth: MODEL_SIZE, resizedHeight: MODEL_SIZE };
  const scale = MODEL_SIZE / Math.max(width, height);
  return {
    family,
    width,
    height,
    resizedWidth: Math.max(1, Math.floor(width * scale + 0.5)),
    resizedHeight: Math.max(1, Math.floor(height * scale + 0.5)),
  };
}

function toPlanar(image: PixelImage, unit: number): Float32Array {
  const { data, width, height, channels } = image;
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    out[i] = data[p]! / unit;
    out[n + i] = data[p + 1]! / unit;
    out[2 * n + i] = data[p + 2]! / unit;
  }
  return out;
}

/** The encoder input for `image` (float32, [1, 3, 1024, 1024]) and the geometry to map prompts with. */
export function preprocess(image: PixelImage, family: ModelFamily): { tensor: Float32Array; geometry: Geometry } {
  const geometry = geometryFor(family, image.width, image.height);
  const { resizedWidth: outW, resizedHeight: outH } = geometry;
  const size = { channels: 3, inW: image.width, inH: image.height, outW, outH };
  const plane = MODEL_SIZE * MODEL_SIZE;
  if (family === 'sam2') {
    const t = resizeAntialiased(toPlanar(image, 255), size);
    for (let c = 0; c < 3; c++) {
      const mean = Math.fround(IMAGENET_MEAN[c]!);
      const std = Math.fround(IMAGENET_STD[c]!);
      for (let i = c * plane; i < (c + 1) * plane; i++) t[i] = Math.fround(t[i]! - mean) / std;
    }
    return { tensor: t, geometry };
  }
  const resized = resizeAntialiased(toPlanar(image, 1), size, true);
  const tensor = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(PIXEL_MEAN[c]!);
    const std = Math.fround(PIXEL_STD[c]!);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        tensor[c * plane + y * MODEL_SIZE + x] = Math.fround(resized[c * outW * outH + y * outW + x]! - mean) / std;
      }
    }
  }
  return { tensor, geometry };
}
