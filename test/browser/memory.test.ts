/**
 * Memory across many prompts through the worker: responses are transferred to the page and must be
 * freed once the caller drops them (a `Promise.race` against the worker's long-lived "died" promise
 * used to keep every response alive).
 */
import { describe, expect, it } from 'vitest';
import { SERVED_FIXTURES, useHarness } from './harness.js';

const MODEL = SERVED_FIXTURES.sam2;

const ctx = useHarness();

describe('memory', () => {
  it('holds no response after the caller drops it: 40 prompts of 9.4 MB each leave the page heap flat', async () => {
    const r = await ctx.page.evaluate(async (model) => {
      const { sam } = window;
      type Measure = () => Promise<{ breakdown: Array<{ bytes: number; attribution: Array<{ scope: string }> }> }>;
      const pageBytes = async () => {
        (globalThis as { gc?: () => void }).gc?.();
        const { breakdown } = await (performance as unknown as { measureUserAgentSpecificMemory: Measure }).measureUserAgentSpecificMemory();
        return breakdown.filter((b) => b.attribution.some((a) => a.scope === 'Window')).reduce((t, b) => t + b.bytes, 0);
      };
      // One WASM thread: ORT's pthread workers never answer a memory measurement (it then waits 60 s).
      const segmenter = await sam.createSegmenter({ model, device: 'wasm', wasmThreads: 1 });
      try {
        const image = await segmenter.setImage(sam.drawImage(1024, 768, sam.texture));
        const prompt = (i: number) => segmenter.segment({ image, point_coords: [[100 + i, 200]], point_labels: [1] });
        const first = await prompt(0);
        const responseBytes = first.masks.data.byteLength + first.logits.data.byteLength;
        for (let i = 0; i < 5; i++) await prompt(i);
        const before = await pageBytes();
        for (let i = 0; i < 40; i++) await prompt(i);
        const after = await pageBytes();
        return { responseBytes, before, after };
      } finally {
        await segmenter.close();
      }
    }, MODEL);
    expect(r.responseBytes).toBeGreaterThan(9_000_000);
    // A leak keeps 40 responses: ~380 MB.
    expect(r.after - r.before).toBeLessThan(5 * r.responseBytes);
  });
});
