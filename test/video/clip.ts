/** Synthetic clips for the video tests: moving disks on a textured background. */
import type { RawImage } from '../../lib/types.js';
import { drawImage, texture } from '../helpers.js';

export interface Disk {
  readonly x: number;
  readonly y: number;
  readonly r: number;
  readonly color: [number, number, number];
}

/** One frame with `disks` drawn in order over `background` (default: the grey texture). */
export function diskFrame(width: number, height: number, disks: readonly Disk[], background: (x: number, y: number) => [number, number, number] = texture): RawImage {
  return drawImage(width, height, (x, y) => {
    for (const d of disks) if ((x - d.x) ** 2 + (y - d.y) ** 2 <= d.r ** 2) return d.color;
    return background(x, y);
  });
}

export const inside = (d: Disk) => (x: number, y: number) => (x - d.x) ** 2 + (y - d.y) ** 2 <= d.r ** 2;

/** IoU of a 0/1 H×W mask with a predicate. */
export function maskIou(mask: { data: Uint8Array; dims: readonly [number, number] }, inside: (x: number, y: number) => boolean): number {
  const [h, w] = mask.dims;
  let inter = 0;
  let union = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = mask.data[y * w + x] === 1;
      const b = inside(x, y);
      if (a && b) inter++;
      if (a || b) union++;
    }
  }
  return union ? inter / union : 1;
}
