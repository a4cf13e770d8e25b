/**
 * sam2-web/service-worker in Chromium: the official SDK, pointed at the public Livepeer gateway,
 * gets its answers from the page's segmenter (through the service worker) with the network cut.
 */
import { describe, expect, it } from 'vitest';
import { SERVED_FIXTURES, useHarness } from './harness.js';

const ctx = useHarness();
const model = SERVED_FIXTURES.sam2;

describe('service worker gateway route', () => {
  it('answers SDK calls to the gateway URL from the page, offline', async () => {
    const page = await ctx.harness.blankPage();
    await page.goto(`${ctx.harness.origin}/test/browser/gateway-page.html`);
    await page.waitForFunction(() => 'gateway' in window, null, { timeout: 60_000 });
    expect(await page.evaluate((m) => window.gateway.start(m), model)).toBe('wasm');
    await page.context().setOffline(true);
    try {
      const ok = await page.evaluate(() => window.gateway.viaSdk({ pointCoords: '[[30,20]]', pointLabels: '[1]' }));
      expect(ok.error).toBeUndefined();
      expect(ok.sdk).toBe(ok.library);
      expect(JSON.parse(ok.sdk!).scores).toMatch(/^\[[\d.e-]+, [\d.e-]+, [\d.e-]+\]$/);
      const bad = await page.evaluate(() => window.gateway.viaSdk({ pointCoords: '[[30,' }));
      expect(bad.error).toEqual({ kind: 'HTTPError', detail: { msg: 'Error parsing JSON for point_coords: Expecting value: line 1 column 6 (char 5)' } });
    } finally {
      await page.context().setOffline(false);
      await page.close();
    }
  });
});
