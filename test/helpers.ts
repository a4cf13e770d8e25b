/** Shared test helpers: synthetic images and mask measurements. */
import { binaryMask } from '../lib/pipeline/mask-export.js';
import type { BinaryMasks, RawImage, Tensor } from '../lib/types.js';

/** Area and centroid (x, y) of mask `k`. */
export function maskStats(masks: Tensor | BinaryMasks, k: number): { area: number; cx: number; cy: number } {
  const { data, width: w, height: h } = binaryMask(masks, k);
  let area = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x]) {
        area++;
        sx += x;
        sy += y;
      }
    }
  }
  return { area, cx: sx / area, cy: sy / area };
}

/** Intersection over union of mask `k` with a reference inside(x, y) predicate. */
export function iou(masks: Tensor | BinaryMasks, k: number, inside: (x: number, y: number) => boolean): number {
  const { data, width, height } = binaryMask(masks, k);
  return iouWith(data, width, height, inside);
}

/** Intersection over union of a w×h 0/1 mask with a reference inside(x, y) predicate. */
export function iouWith(data: ArrayLike<number>, w: number, h: number, inside: (x: number, y: number) => boolean): number {
  let inter = 0;
  let union = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = data[y * w + x] === 1;
      const b = inside(x, y);
      if (a && b) inter++;
      if (a || b) union++;
    }
  }
  return inter / union;
}

/** A deterministic RGBA image: `shade(x, y)` gives [r, g, b]. */
export function drawImage(width: number, height: number, shade: (x: number, y: number) => [number, number, number]): RawImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([...shade(x, y), 255], (y * width + x) * 4);
    }
  }
  return { data, width, height, channels: 4 };
}

/** A smooth grey texture with fine noise, as a background for synthetic scenes. */
export function texture(x: number, y: number): [number, number, number] {
  const n = ((x * 73856093) ^ (y * 19349663)) >>> 0;
  const v = 120 + 30 * Math.sin(x / 9) * Math.cos(y / 11) + ((n % 17) - 8);
  return [v, v + 5, v - 5];
}
