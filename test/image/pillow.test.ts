/**
 * Node decodes every golden image to exactly Pillow's `convert("RGB")` pixels (test/golden/pillow.json,
 * made with Pillow by test/golden/generate_images.py), and refuses what Pillow cannot open.
 */
import { describe, expect, it } from 'vitest';
import { decodeNodeImage } from '../../lib/platform/node-image.js';
import { nodePlatform } from '../../lib/platform/node.js';
import { SegmentAnything2Error } from '../../lib/errors.js';
import { goldenImage, PILLOW, pixelDiff } from '../golden/pillow.js';

describe("Node decodes images as the runner's Pillow does", () => {
  it('has golden pixels for every format the issue lists', () => {
    const formats = new Set(Object.values(PILLOW.images).map((g) => g.format));
    expect([...formats].sort()).toEqual(['BMP', 'GIF', 'ICO', 'JPEG', 'PNG', 'PPM', 'TGA', 'WEBP']);
    expect(Object.keys(PILLOW.refused).sort()).toEqual(['refused-bad-ihdr-crc.png', 'refused.avif', 'refused.heic', 'refused.svg']);
    expect(Object.values(PILLOW.errors)).toEqual(['ValueError', 'ValueError', 'ValueError']);
  });

  it.each(Object.keys(PILLOW.images))('%s', async (name) => {
    const pixels = await decodeNodeImage(goldenImage(name));
    expect(pixelDiff(name, pixels)).toEqual({ size: 'same', differing: 0, max: 0 });
  });

  // Pillow cannot identify these: the runner's 500. Where Pillow raises ValueError, the route's
  // ValueError rule gives 400 with the same message.
  it.each([...Object.keys(PILLOW.refused).map((n) => [n, 500, 'IMAGE_DECODE'] as const), ...Object.keys(PILLOW.errors).map((n) => [n, 400, 'IMAGE_VALUE_ERROR'] as const)])(
    'refuses %s as the runner does (%i %s, the route message)',
    async (name, status, code) => {
      const error = await nodePlatform.decodeImage(goldenImage(name)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SegmentAnything2Error);
      expect({ status: (error as SegmentAnything2Error).status, code: (error as SegmentAnything2Error).code, body: JSON.stringify(error) }).toEqual({
        status,
        code,
        body: '{"detail":{"msg":"Segment-anything-2 pipeline error."}}',
      });
    },
  );
});
