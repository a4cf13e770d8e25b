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
    expect(Object.keys(PILLOW.refused).sort()).toEqual(['refused.avif', 'refused.heic', 'refused.svg']);
  });

  it.each(Object.keys(PILLOW.images))('%s', async (name) => {
    const pixels = await decodeNodeImage(goldenImage(name));
    expect(pixelDiff(name, pixels)).toEqual({ size: 'same', differing: 0, max: 0 });
  });

  it.each(Object.keys(PILLOW.refused))('refuses %s as the runner does (500, the route message)', async (name) => {
    const error = await nodePlatform.decodeImage(goldenImage(name)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SegmentAnything2Error);
    expect({ status: (error as SegmentAnything2Error).status, code: (error as SegmentAnything2Error).code, body: JSON.stringify(error) }).toEqual({
      status: 500,
      code: 'IMAGE_DECODE',
      body: '{"detail":{"msg":"Segment-anything-2 pipeline error."}}',
    });
  });
});
