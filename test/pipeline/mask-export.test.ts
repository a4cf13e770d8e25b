import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countsFromString, cutout, maskToPolygon, maskToRgba, rleCounts, toCocoRle } from '../../lib/pipeline/mask-export.js';

interface RleCase {
  h: number;
  w: number;
  data: number[];
  counts: string;
  area: number;
}
const golden: RleCase[] = JSON.parse(readFileSync(new URL('../golden/coco-rle.json', import.meta.url), 'utf8'));

function drawn(width: number, height: number, inside: (x: number, y: number) => boolean) {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = inside(x, y) ? 1 : 0;
  return { data, width, height };
}

function shoelace(poly: Array<[number, number]>): number {
  let a = 0;
  for (let i = 0; i < poly.length; i++) {
    const [x0, y0] = poly[i]!;
    const [x1, y1] = poly[(i + 1) % poly.length]!;
    a += x0 * y1 - x1 * y0;
  }
  return Math.abs(a) / 2;
}

describe('COCO RLE', () => {
  it.each(golden.map((c) => [`${c.h}×${c.w}, area ${c.area}`, c] as const))('matches pycocotools for %s', (_, c) => {
    const mask = { data: c.data, width: c.w, height: c.h };
    expect(toCocoRle(mask)).toEqual({ size: [c.h, c.w], counts: c.counts });
    const counts = countsFromString(c.counts);
    expect(counts).toEqual(rleCounts(mask));
    expect(counts.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0)).toBe(c.area);
  });
});

describe('maskToPolygon', () => {
  it('gives the 4 pixel-edge corners of a rectangle, clockwise', () => {
    const poly = maskToPolygon(drawn(20, 10, (x, y) => x >= 3 && x < 12 && y >= 2 && y < 7));
    expect(poly).toEqual([
      [3, 2],
      [12, 2],
      [12, 7],
      [3, 7],
    ]);
  });

  it("encloses a disk's area within 3%, with few vertices", () => {
    const mask = drawn(100, 80, (x, y) => (x + 0.5 - 50) ** 2 + (y + 0.5 - 40) ** 2 <= 30 ** 2);
    const area = mask.data.reduce((a, b) => a + b, 0);
    const poly = maskToPolygon(mask, 1);
    expect(Math.abs(shoelace(poly) - area) / area).toBeLessThan(0.03);
    expect(poly.length).toBeLessThan(60);
  });

  it('outlines the largest region only, and gives [] for an empty mask', () => {
    const poly = maskToPolygon(drawn(30, 30, (x, y) => (x < 4 && y < 4) || (x >= 10 && x < 25 && y >= 10 && y < 20)));
    expect(shoelace(poly)).toBe(15 * 10);
    expect(maskToPolygon(drawn(5, 5, () => false))).toEqual([]);
  });

  it('covers the whole image for a full mask', () => {
    expect(maskToPolygon(drawn(4, 3, () => true))).toEqual([
      [0, 0],
      [4, 0],
      [4, 3],
      [0, 3],
    ]);
  });
});

describe('RGBA exports', () => {
  it('colours the mask and cuts out the image', () => {
    const mask = { data: [1, 0], width: 2, height: 1 };
    expect(Array.from(maskToRgba(mask, [1, 2, 3, 4]))).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
    expect(Array.from(maskToRgba(mask, [255, 255, 255, 255], [0, 0, 0, 255]))).toEqual([255, 255, 255, 255, 0, 0, 0, 255]);
    expect(Array.from(cutout([9, 8, 7, 255, 6, 5, 4, 255], mask))).toEqual([9, 8, 7, 255, 0, 0, 0, 0]);
  });
});

describe('binaryMask', () => {
  it('reads mask k of float32, uint8 and bits masks alike', async () => {
    const { binaryMask } = await import('../../lib/pipeline/mask-export.js');
    const floats = { data: Float32Array.from([1, -1, 0.5, -0, 0, 2]), dims: [2, 1, 3] };
    const bits = { format: 'bits' as const, data: Uint8Array.from([0b10100100]), dims: [2, 1, 3] as [number, number, number] };
    expect(Array.from(binaryMask(floats, 1).data)).toEqual([0, 0, 1]);
    expect(Array.from(binaryMask(bits, 0).data)).toEqual([1, 0, 1]);
    expect(Array.from(binaryMask(bits, 1).data)).toEqual([0, 0, 1]);
  });
});
