/**
 * The demo's "Everything" button and multi-object selection in Chromium (WASM, embedded model): on
 * a drawn image, every mask is drawn in its own colour after the progress bar fills; a click picks
 * the shape's mask as the selection; two kept objects get their own colours and the COCO RLE
 * export holds both.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rleToMask } from '../../lib/pipeline/amg.js';
import { countsFromString } from '../../lib/pipeline/mask-export.js';
import { H, inDisk, inRect, SHAPES, sceneIou, shapesScene, W } from '../shapes-scene.js';
import { startHarness, type Harness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
}, 120_000);
afterAll(() => harness?.close());

const statusMatches = (page: Page, pattern: RegExp, timeout = 300_000) =>
  page.waitForFunction((source) => new RegExp(source).test(document.getElementById('status')!.textContent!), pattern.source, { timeout });

/** RGBA pixels of canvas `id` at image coordinates. */
const pixelsAt = (page: Page, id: string, points: readonly (readonly [number, number])[]) =>
  page.evaluate(
    ({ id, points }) => {
      const ctx = (document.getElementById(id) as HTMLCanvasElement).getContext('2d')!;
      return points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
    },
    { id, points },
  );

const CENTRES = SHAPES.map((s) => s.at);
/** The selection's tint (demo/overlay.ts), give or take the canvas's premultiplied-alpha rounding. */
const isSelectionBlue = (px: readonly number[]) => px[3] === 150 && [30, 144, 255].every((v, i) => Math.abs(px[i]! - v) <= 2);

describe('demo: Everything and kept objects', () => {
  it('draws every mask in distinct colours, picks one by a click, and exports two kept objects together', async () => {
    const page = await harness.blankPage({ webgpu: false, acceptDownloads: true });
    try {
      await page.goto(`${harness.origin}/demo/`);
      await statusMatches(page, /^Encoded/);
      // Everything before a mask: Keep object says what to do.
      await page.click('#keep-object');
      expect(await page.textContent('#status')).toMatch(/^Nothing to keep yet/);

      const scene = shapesScene();
      const png = await sharp(Buffer.from(scene.data), { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
      await page.setInputFiles('#file', { name: 'shapes.png', mimeType: 'image/png', buffer: png });
      await statusMatches(page, /^Encoded/);

      // Everything: the progress bar fills, then each shape shows in a colour of its own.
      expect(await page.evaluate(() => (document.getElementById('everything-progress') as HTMLProgressElement).value)).toBe(0);
      await page.click('#everything');
      await statusMatches(page, /^\d+ masks in \d+ ms/, 600_000);
      const masks = Number(/^(\d+)/.exec((await page.textContent('#status'))!)![1]);
      expect(masks).toBeGreaterThanOrEqual(3);
      expect(await page.evaluate(() => (document.getElementById('everything-progress') as HTMLProgressElement).value)).toBe(1);
      const everything = await pixelsAt(page, 'everything-layer', CENTRES);
      for (const px of everything) expect(px[3]).toBeGreaterThan(0);
      expect(new Set(everything.map((px) => px.slice(0, 3).join())).size).toBe(CENTRES.length);

      const box = (await page.locator('#image').boundingBox())!;
      const click = async ([x, y]: readonly [number, number]) => {
        await page.mouse.move(box.x + ((x + 0.5) * box.width) / W, box.y + ((y + 0.5) * box.height) / H);
        await page.mouse.down();
        await page.mouse.up();
      };

      // A click on the disk picks its mask: it becomes the selection (blue), the other masks go.
      await click(SHAPES[0].at);
      await statusMatches(page, /^Selected a mask of \d+ px/, 10_000);
      const [onDisk, onRect] = await pixelsAt(page, 'overlay', [SHAPES[0].at, SHAPES[1].at]);
      expect(isSelectionBlue(onDisk!), String(onDisk)).toBe(true);
      expect(onRect![3]).toBe(0);
      expect((await pixelsAt(page, 'everything-layer', CENTRES)).map((px) => px[3])).toEqual([0, 0, 0]);
      // The picked selection exports like any mask: the disk.
      const exportRle = async () => {
        const download = page.waitForEvent('download');
        await page.click('#export-rle');
        const rle = JSON.parse(await readFile((await (await download).path())!, 'utf8')) as { size: [number, number]; counts: string };
        expect(rle.size).toEqual([H, W]);
        return rleToMask(countsFromString(rle.counts), W, H);
      };
      expect(sceneIou(await exportRle(), inDisk)).toBeGreaterThanOrEqual(0.9);

      // Keep it: it shows in the objects' colour and the overlay is free for the next object.
      await page.click('#keep-object');
      expect(await page.textContent('#status')).toMatch(/^1 object kept/);
      const [keptDisk] = await pixelsAt(page, 'everything-layer', [SHAPES[0].at]);
      expect(keptDisk![3]).toBeGreaterThan(0);
      expect((await pixelsAt(page, 'overlay', [SHAPES[0].at]))[0]![3]).toBe(0);

      // A second object by a click (a point prompt), kept in another colour.
      await click(SHAPES[1].at);
      await statusMatches(page, /^Mask in/, 120_000);
      // (Away from the click, where the prompt's dot is drawn.)
      const [rectSelected, diskAfter] = await pixelsAt(page, 'overlay', [[400, 170], SHAPES[0].at]);
      expect(isSelectionBlue(rectSelected!), String(rectSelected)).toBe(true);
      // A new object, not a second point of the kept one.
      expect(diskAfter![3]).toBe(0);
      await page.click('#keep-object');
      expect(await page.textContent('#status')).toMatch(/^2 objects kept/);
      const kept = await pixelsAt(page, 'everything-layer', [SHAPES[0].at, SHAPES[1].at, SHAPES[2].at]);
      expect(kept[0]![3]).toBeGreaterThan(0);
      expect(kept[1]![3]).toBeGreaterThan(0);
      expect(kept[0]!.slice(0, 3)).not.toEqual(kept[1]!.slice(0, 3));
      expect(kept[2]![3]).toBe(0);

      // The export holds both objects (and nothing of the third shape).
      const both = await exportRle();
      expect(sceneIou(both, (x, y) => inDisk(x, y) || inRect(x, y))).toBeGreaterThanOrEqual(0.9);
      expect(sceneIou(both, SHAPES[2].inside)).toBe(0);

      // A new image drops the kept objects.
      await page.click('#sample');
      await statusMatches(page, /^Encoded/);
      expect((await pixelsAt(page, 'everything-layer', [SHAPES[0].at]))[0]![3]).toBe(0);
    } finally {
      await page.close();
    }
  }, 900_000);
});
