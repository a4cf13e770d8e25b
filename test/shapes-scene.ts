/**
 * The drawn scene of the automatic-mask tests (Node and Chromium): a disk, a rectangle and a
 * triangle on the textured background, 480×360, with a predicate per shape for IoU checks.
 */
import type { RawImage } from '../lib/types.js';
import { drawImage, iouWith, texture } from './helpers.js';

export const W = 480;
export const H = 360;
export const disk = { x: 120, y: 120, r: 70 };
export const rect = { x0: 270, y0: 60, x1: 440, y1: 200 };
export const tri = { x0: 150, x1: 420, y0: 230, y1: 340 }; // apex up, base at y1

export const inDisk = (x: number, y: number) => (x - disk.x) ** 2 + (y - disk.y) ** 2 <= disk.r ** 2;
export const inRect = (x: number, y: number) => x >= rect.x0 && x <= rect.x1 && y >= rect.y0 && y <= rect.y1;
export const inTri = (x: number, y: number) => {
  if (y < tri.y0 || y > tri.y1) return false;
  const half = ((y - tri.y0) / (tri.y1 - tri.y0)) * ((tri.x1 - tri.x0) / 2);
  const mid = (tri.x0 + tri.x1) / 2;
  return Math.abs(x - mid) <= half;
};

/** Each shape: its name, predicate and a point well inside it. */
export const SHAPES = [
  { name: 'disk', inside: inDisk, at: [disk.x, disk.y] },
  { name: 'rectangle', inside: inRect, at: [355, 130] },
  { name: 'triangle', inside: inTri, at: [285, 310] },
] as const satisfies ReadonlyArray<{ name: string; inside: (x: number, y: number) => boolean; at: readonly [number, number] }>;

/** The scene's RGBA pixels. */
export function shapesScene(): RawImage {
  return drawImage(W, H, (x, y) => (inDisk(x, y) ? [220, 60, 40] : inRect(x, y) ? [40, 90, 210] : inTri(x, y) ? [250, 210, 30] : texture(x, y)));
}

/** IoU of a W×H 0/1 mask with `inside`. */
export function sceneIou(data: ArrayLike<number>, inside: (x: number, y: number) => boolean): number {
  return iouWith(data, W, H, inside);
}
