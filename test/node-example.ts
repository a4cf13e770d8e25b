/** Checks on the README's Node example (demo/node-example.mjs), run from the repo or an installed tarball. */
import sharp from 'sharp';
import { expect } from 'vitest';

/** The example's 160×120 mask PNG of a disk at (80, 60): opaque black and white, the disk white. */
export async function expectDiskMaskPng(file: string): Promise<void> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([160, 120]);
  expect([1, 3]).toContain(info.channels); // grey (sharp may read it back as RGB), no alpha
  expect(new Set(data)).toEqual(new Set([0, 255]));
  const at = (x: number, y: number) => data[(y * 160 + x) * info.channels];
  expect([at(80, 60), at(5, 5)]).toEqual([255, 0]);
}
