/**
 * The built demo as an offline PWA: after one online visit, a reload with the browser context
 * offline still loads the app, the worker, onnxruntime-web and the model, and segments; the
 * Gateway client panel's SDK call is answered by the page through sw.js.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

let server: PreviewServer;
let browser: Browser;
let origin = '';
beforeAll(async () => {
  // A production build in its own process: under Vitest, NODE_ENV=test would make it a non-production build.
  const { NODE_ENV: _, ...env } = process.env;
  await promisify(execFile)(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'], { env });
  server = await preview({ configFile: 'vite.config.ts', logLevel: 'error', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const status = (text: RegExp, timeout = 120_000) => [(re: string) => new RegExp(re).test(document.getElementById('status')!.textContent!), text.source, { timeout }] as const;

describe('offline PWA', () => {
  it('segments after a reload with the network cut', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/demo/`);
    await page.waitForFunction(...status(/^Encoded/));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    const cached = await page.evaluate(async () => (await caches.keys()).sort());
    expect(cached).toEqual([expect.stringMatching(/^sam2-web-demo-/), 'sam2-web-models-v1']);

    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(...status(/^Encoded|^Error/));
    expect(await page.textContent('#status')).toMatch(/^Encoded on wasm/);
    const box = (await page.locator('#image').boundingBox())!;
    await page.mouse.move(box.x + (170 * box.width) / 480, box.y + (160 * box.height) / 360);
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForFunction(...status(/^Mask in|^Error/));
    expect(await page.textContent('#status')).toMatch(/^Mask in/);
    const alpha = await page.evaluate(() => {
      const ctx = (document.getElementById('overlay') as HTMLCanvasElement).getContext('2d')!;
      return [ctx.getImageData(150, 150, 1, 1).data[3], ctx.getImageData(20, 20, 1, 1).data[3]];
    });
    expect(alpha[0]).toBeGreaterThan(0);
    expect(alpha[1]).toBe(0);

    // The Gateway client panel, still offline: sw.js routes the SDK's call to the page (the SDK's chunk is precached).
    await page.click('#gateway summary');
    const result = (re: RegExp) => [(s: string) => new RegExp(s).test(document.getElementById('gateway-result')!.textContent!), re.source, { timeout: 120_000 }] as const;
    await page.waitForFunction(...result(/^Ready|could not start/));
    await page.click('#gateway-send');
    await page.waitForFunction(...result(/^HTTP|failed/));
    expect(await page.textContent('#gateway-result')).toMatch(/^HTTP 200 from this page \(x-sam2-web-served-by: page\)/);
    await context.close();
  });
});
