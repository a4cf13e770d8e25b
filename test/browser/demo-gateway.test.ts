/**
 * The demo's "Gateway client" panel in Chromium: the official SDK, pointed at the Livepeer gateway,
 * sends the image and the clicks with the network cut; the page's service worker hands the request
 * to the page, and the answer (scores, mask) is the library's own for the same prompt.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness?.close());

const GATEWAY = 'https://dream-gateway.livepeer.cloud';
const textStarts = (page: Page, id: string, start: RegExp, timeout = 300_000) =>
  page.waitForFunction(([i, re]) => new RegExp(re).test(document.getElementById(i)!.textContent!), [id, start.source] as const, { timeout });

describe('demo gateway client panel', () => {
  it("answers the SDK's call to the gateway from the page, offline, with segment()'s scores", async () => {
    const page = await harness.blankPage({ webgpu: false });
    const context = page.context();
    // Anything that reaches the gateway's origin is recorded and refused.
    const reachedGateway: string[] = [];
    await context.route(`${GATEWAY}/**`, (route) => {
      reachedGateway.push(route.request().url());
      return route.abort();
    });
    try {
      await page.goto(`${harness.origin}/demo/`);
      await textStarts(page, 'status', /^Encoded/);
      // Before any click the panel asks for one.
      await page.click('#gateway summary');
      await textStarts(page, 'gateway-result', /^Ready|could not start/, 60_000);
      expect(await page.textContent('#gateway-result')).toMatch(/^Ready/);
      await page.click('#gateway-send');
      await textStarts(page, 'gateway-result', /^Click the image/, 10_000);

      // A foreground point on the red disk.
      const box = (await page.locator('#image').boundingBox())!;
      await page.mouse.move(box.x + (170 * box.width) / 480, box.y + (160 * box.height) / 360);
      await page.mouse.down();
      await page.mouse.up();
      await textStarts(page, 'status', /^Mask in/, 60_000);
      await page.evaluate(() => (document.getElementById('overlay') as HTMLCanvasElement).getContext('2d')!.clearRect(0, 0, 480, 360));

      await context.setOffline(true);
      await page.click('#gateway-send');
      await textStarts(page, 'gateway-result', /^HTTP|failed/, 120_000);
      const shown = await page.evaluate(() => {
        const result = document.getElementById('gateway-result')!;
        return { text: result.textContent!, ...(result.dataset as { servedBy?: string; scores?: string; ms?: string }) };
      });
      await context.setOffline(false);
      expect(shown.text).toMatch(/^HTTP 200 from this page \(x-sam2-web-served-by: page\) · round trip \d+ ms · scores \[/);
      expect(shown.servedBy).toBe('page');
      expect(Number(shown.ms)).toBeGreaterThan(0);
      expect(reachedGateway).toEqual([]);
      // The mask is drawn again: on the disk, not on the background or the other shape.
      const alpha = await page.evaluate(() => {
        const ctx = (document.getElementById('overlay') as HTMLCanvasElement).getContext('2d')!;
        const a = (x: number, y: number) => ctx.getImageData(x, y, 1, 1).data[3];
        return [a(150, 150), a(20, 20), a(360, 160)];
      });
      expect(alpha[0]).toBeGreaterThan(0);
      expect(alpha.slice(1)).toEqual([0, 0]);
      expect(await page.locator('#candidates button').count()).toBe(3);

      // The library's own answer for the same image (the canvas as PNG) and prompt.
      // (A string, so that Vitest leaves the page's dynamic import alone.)
      const direct = await page.evaluate<string>(`(async () => {
        const lib = await import('/lib/index.ts');
        const canvas = document.getElementById('image');
        const png = await new Promise((r) => canvas.toBlob(r, 'image/png'));
        const segmenter = await lib.createSegmenter();
        try {
          const response = await segmenter.segment({ image: png, point_coords: [[170, 160]], point_labels: [1] });
          return JSON.parse(lib.toGatewayJSON(response)).scores;
        } finally {
          await segmenter.close();
        }
      })()`);
      expect(shown.scores).toMatch(/^\[[\d.e-]+, [\d.e-]+, [\d.e-]+\]$/);
      expect(shown.scores).toBe(direct);
    } finally {
      await context.setOffline(false);
      await page.close();
    }
  }, 400_000);
});
