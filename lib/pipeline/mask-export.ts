/**
 * Mask exports, as pure functions on one binary H×W mask: COCO RLE (pycocotools' compressed
 * string), an outline polygon, and RGBA pixels for a mask image or a cut-out.
 */

import type { BinaryMasks, Tensor } from '../types.js';
import { binaryAt } from './postprocess.js';

/** One binary mask: `data[y * width + x]` is 0 or 1. */
export interface BinaryMask {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

/** Mask `k` of a response's `masks` (any format) as 0/1 bytes, thresholded at 0 like the runner. */
export function binaryMask(masks: Tensor | BinaryMasks, k = 0): BinaryMask & { data: Uint8Array } {
  const [, height, width] = masks.dims as [number, number, number];
  const n = width * height;
  const data = new Uint8Array(n);
  if ('format' in masks) for (let i = 0; i < n; i++) data[i] = binaryAt(masks, k * n + i);
  else for (let i = 0; i < n; i++) data[i] = masks.data[k * n + i]! > 0 ? 1 : 0;
  return { data, width, height };
}

/** COCO's run-length encoding, as `pycocotools.mask.encode` returns it (counts as a string). */
export interface CocoRle {
  /** [height, width]. */
  readonly size: [number, number];
  readonly counts: string;
}

/** Column-major run lengths, starting with a run of zeros (possibly empty). */
export function rleCounts(mask: BinaryMask): number[] {
  const { data, width, height } = mask;
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = data[y * width + x] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/** pycocotools `rleToString`: deltas from the count two back, 5 bits per character, offset 48. */
function countsToString(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]! - (i > 2 ? counts[i - 2]! : 0);
    for (let more = true; more; ) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** The inverse of {@link countsToString}. */
export function countsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      const c = s.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/** COCO RLE of a mask, equal to pycocotools' `encode(np.asfortranarray(mask))`. */
export function toCocoRle(mask: BinaryMask): CocoRle {
  return cocoRleFromCounts(rleCounts(mask), mask.width, mask.height);
}

/** COCO RLE from column-major run lengths (pycocotools `frPyObjects` of an uncompressed RLE). */
export function cocoRleFromCounts(counts: readonly number[], width: number, height: number): CocoRle {
  return { size: [height, width], counts: countsToString(counts) };
}

type Point = [number, number];

/** Perpendicular distance of p from the line through a and b. */
function distance(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = Math.hypot(dx, dy);
  return len === 0 ? Math.hypot(p[0] - a[0], p[1] - a[1]) : Math.abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / len;
}

/** Douglas–Peucker simplification of an open polyline. */
function simplify(points: Point[], tolerance: number): Point[] {
  if (points.length < 3) return points;
  let index = 0;
  let max = 0;
  for (let i = 1; i < points.length - 1; i++) {
    const d = distance(points[i]!, points[0]!, points.at(-1)!);
    if (d > max) [max, index] = [d, i];
  }
  if (max <= tolerance) return [points[0]!, points.at(-1)!];
  return [...simplify(points.slice(0, index + 1), tolerance).slice(0, -1), ...simplify(points.slice(index), tolerance)];
}

/**
 * The outer boundary of the mask's largest 4-connected region, traced along pixel edges (corner
 * coordinates, so a full W×H mask gives [[0,0],[W,0],[W,H],[0,H]]) and simplified to within
 * `tolerance` pixels. Empty masks give [].
 */
export function maskToPolygon(mask: BinaryMask, tolerance = 1): Point[] {
  const { width: w, height: h } = mask;
  const region = largestRegion(mask);
  if (!region) return [];
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && region[y * w + x] === 1;
  // Start at the top-left edge of the region's first pixel in row-major order, heading right with
  // the region on the right-hand side (clockwise in image coordinates).
  const first = region.indexOf(1);
  const start: Point = [first % w, Math.floor(first / w)];
  const path: Point[] = [];
  let [x, y] = start;
  let dir = 0; // 0 right, 1 down, 2 left, 3 up
  const step = [
    [1, 0],
    [0, 1],
    [-1, 0],
    [0, -1],
  ] as const;
  // The pixel ahead-right and ahead-left of the current corner, for each direction.
  const cells = (cx: number, cy: number, d: number): [boolean, boolean] => {
    switch (d) {
      case 0:
        return [inside(cx, cy), inside(cx, cy - 1)];
      case 1:
        return [inside(cx - 1, cy), inside(cx, cy)];
      case 2:
        return [inside(cx - 1, cy - 1), inside(cx - 1, cy)];
      default:
        return [inside(cx, cy - 1), inside(cx - 1, cy - 1)];
    }
  };
  do {
    path.push([x, y]);
    x += step[dir]![0];
    y += step[dir]![1];
    const [right, left] = cells(x, y, dir);
    if (left) dir = (dir + 3) % 4;
    else if (!right) dir = (dir + 1) % 4;
  } while (x !== start[0] || y !== start[1] || dir !== 0);
  // Keep only corners, then simplify the closed ring as an open polyline from its first point.
  const corners = path.filter((p, i) => {
    const a = path[(i + path.length - 1) % path.length]!;
    const b = path[(i + 1) % path.length]!;
    return (b[0] - p[0]) * (p[1] - a[1]) !== (b[1] - p[1]) * (p[0] - a[0]);
  });
  const ring = simplify([...corners, corners[0]!], tolerance);
  return ring.slice(0, -1);
}

/** The mask restricted to its largest 4-connected region of ones, or undefined when empty. */
function largestRegion(mask: BinaryMask): Uint8Array | undefined {
  const { data, width: w, height: h } = mask;
  const label = new Int32Array(w * h);
  const stack: number[] = [];
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let i = 0; i < w * h; i++) {
    if (!data[i] || label[i]) continue;
    next++;
    let size = 0;
    label[i] = next;
    stack.push(i);
    while (stack.length) {
      const p = stack.pop()!;
      size++;
      const px = p % w;
      for (const q of [px > 0 ? p - 1 : -1, px < w - 1 ? p + 1 : -1, p - w, p + w]) {
        if (q >= 0 && q < w * h && data[q] && !label[q]) {
          label[q] = next;
          stack.push(q);
        }
      }
    }
    if (size > bestSize) [best, bestSize] = [next, size];
  }
  if (!best) return undefined;
  return Uint8Array.from(label, (l) => (l === best ? 1 : 0));
}

/**
 * RGBA pixels: `color` where the mask is set, `background` elsewhere (transparent by default). A
 * mask PNG in the common convention is `maskToRgba(mask, [255, 255, 255, 255], [0, 0, 0, 255])`.
 */
export function maskToRgba(
  mask: BinaryMask,
  color: readonly [number, number, number, number] = [255, 255, 255, 255],
  background: readonly [number, number, number, number] = [0, 0, 0, 0],
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(mask.width * mask.height * 4);
  for (let i = 0; i < mask.width * mask.height; i++) out.set(mask.data[i] ? color : background, i * 4);
  return out;
}

/** A cut-out: the image's RGBA pixels where the mask is set, transparent elsewhere. */
export function cutout(rgba: ArrayLike<number>, mask: BinaryMask): Uint8ClampedArray {
  const out = new Uint8ClampedArray(mask.width * mask.height * 4);
  for (let i = 0; i < mask.width * mask.height; i++) {
    if (!mask.data[i]) continue;
    for (let c = 0; c < 4; c++) out[i * 4 + c] = rgba[i * 4 + c]!;
  }
  return out;
}
