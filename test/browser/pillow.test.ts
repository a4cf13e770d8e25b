/**
 * Chromium decodes every golden image to Pillow's `convert("RGB")` pixels (test/golden/pillow.json),
 * on the page (worker: false) and in a worker (the default), and refuses what Pillow cannot open;
 * a segmenter answers an EXIF-6 JPEG with masks of its stored size, as the runner does.
 */
import { describe, expect, it } from 'vitest';
import { goldenImage, PILLOW, pixelDiff } from '../golden/pillow.js';
import { SERVED_FIXTURES, useHarness } from './harness.js';

const SAM2 = SERVED_FIXTURES.sam2;
/** Documented deviations (README, "Images"): Chromium's CMYK → RGB rounds down where Pillow rounds. */
const DEVIATIONS: Record<string, number> = { 'cmyk.jpg': 1 };

const ctx = useHarness();

describe.each(['page', 'worker'] as const)("Chromium decodes images as the runner's Pillow does (%s)", (where) => {
  it.each(Object.keys(PILLOW.images))('%s', async (name) => {
    const got = await ctx.page.evaluate(({ bytes, where }) => window.sam.decodeImage(bytes, where), { bytes: Array.from(goldenImage(name)), where });
    expect('error' in got ? got.error : undefined).toBeUndefined();
    const { width, height, rgb } = got as { width: number; height: number; rgb: number[] };
    const diff = pixelDiff(name, { width, height, data: rgb, channels: 3 });
    const max = DEVIATIONS[name] ?? 0;
    expect(diff.size).toBe('same');
    expect(diff.max).toBeLessThanOrEqual(max);
    if (max === 0) expect(diff.differing).toBe(0);
  });

  it.each([...Object.keys(PILLOW.refused).map((n) => [n, '500 IMAGE_DECODE'] as const), ...Object.keys(PILLOW.errors).map((n) => [n, '400 IMAGE_VALUE_ERROR'] as const)])(
    'refuses %s (%s)',
    async (name, error) => {
      const got = await ctx.page.evaluate(({ bytes, where }) => window.sam.decodeImage(bytes, where), { bytes: Array.from(goldenImage(name)), where });
      expect(got).toEqual({ error });
    },
  );
});

describe('a segmenter in Chromium answers as the runner for images the browser would decode differently', () => {
  it.each([true, false])('worker: %s — EXIF-6 JPEG gives masks of the stored 64×48 size; a truncated PNG and a TGA decode', async (worker) => {
    const got = await ctx.page.evaluate(
      async ({ model, worker, images }) => {
        const segmenter = await window.sam.createSegmenter({ model, device: 'wasm', worker });
        try {
          const out: Record<string, number[] | string> = {};
          for (const [name, bytes] of Object.entries(images)) {
            out[name] = await segmenter.segment({ image: new Uint8Array(bytes), point_coords: '[[10,10]]', point_labels: '[1]' }).then(
              (r) => Array.from(r.masks.dims),
              (e: { status: number; code: string }) => `${e.status} ${e.code}`,
            );
          }
          return out;
        } finally {
          await segmenter.close();
        }
      },
      { model: SAM2, worker, images: Object.fromEntries(['exif6.jpg', 'truncated.png', 'tga24.tga'].map((n) => [n, Array.from(goldenImage(n))])) },
    );
    expect(got).toEqual({ 'exif6.jpg': [3, 48, 64], 'truncated.png': [3, 48, 64], 'tga24.tga': [3, 13, 29] });
  });
});
