/**
 * Faults and load through the worker in Chromium: a lost WebGPU device, close() with work queued,
 * 200 concurrent requests over 5 images, and no network traffic while images are segmented.
 */
import { describe, expect, it } from 'vitest';
import { SERVED_FIXTURES, useHarness } from './harness.js';

const SAM2 = SERVED_FIXTURES.sam2;
const PROMPT = { point_coords: '[[23,11]]', point_labels: '[1]', box: '[5,4,30,25]' };

const ctx = useHarness();

describe('faults', () => {
  it('a lost WebGPU device fails the next call with DEVICE_LOST, and the call after works in a new worker', async () => {
    const r = await ctx.page.evaluate(
      async ({ model, prompt }) => {
        const { sam } = window;
        const segmenter = await sam.createSegmenter({ model, device: 'webgpu', worker: sam.faultWorker });
        try {
          const image = sam.drawImage(40, 30, sam.texture);
          const first = await segmenter.segment({ image, ...prompt });
          const reason = await sam.faultWorkers.at(-1)!.destroyDevice();
          const lost = await segmenter.segment({ image, ...prompt }).then(
            () => 'answered',
            (e: { code: string; status: number }) => `${e.status} ${e.code}`,
          );
          const again = await segmenter.segment({ image, ...prompt });
          const same = again.logits.data.every((v, i) => Math.abs(v - first.logits.data[i]!) < 1e-4);
          return { reason, lost, same, workers: sam.faultWorkers.length, backend: segmenter.backend.device, stats: await segmenter.stats() };
        } finally {
          await segmenter.close();
        }
      },
      { model: SAM2, prompt: PROMPT },
    );
    expect(r).toMatchObject({ reason: 'destroyed', lost: '500 DEVICE_LOST', same: true, backend: 'webgpu' });
    expect(r.workers).toBeGreaterThanOrEqual(2);
    expect(r.stats).toMatchObject({ encoderRuns: 1, decoderRuns: 1, embeddingLocation: 'gpu-buffer' });
    // The 1024² SAM2 fixture on SwiftShader: minutes on 2 cores with Chromium 156 (docs/browser-testing.md §6).
  }, 600_000);

  it('close() with work queued settles every call (answered or CLOSED), and later calls reject CLOSED', async () => {
    const r = await ctx.page.evaluate(
      async ({ model, prompt }) => {
        const { sam } = window;
        const segmenter = await sam.createSegmenter({ model, device: 'wasm' });
        const calls = [0, 1, 2, 3, 4, 5].map((k) =>
          segmenter.segment({ image: sam.drawImage(200, 150, (x, y) => sam.texture(x + k, y)), ...prompt }).then(
            () => 'answered',
            (e: { code: string }) => e.code,
          ),
        );
        await new Promise((res) => setTimeout(res, 0));
        await segmenter.close();
        const settled = await Promise.race([Promise.all(calls), new Promise((res) => setTimeout(() => res('hung'), 20_000))]);
        const later = await segmenter.segment({ image: sam.drawImage(8, 8, sam.texture) }).catch((e: { code: string }) => e.code);
        return { settled, later };
      },
      { model: SAM2, prompt: PROMPT },
    );
    expect(r.settled).not.toBe('hung');
    for (const outcome of r.settled as string[]) expect(['answered', 'CLOSED']).toContain(outcome);
    // The worker handles the close message between runs, so queued calls do not all run first.
    expect((r.settled as string[]).filter((o) => o === 'CLOSED').length).toBeGreaterThanOrEqual(3);
    expect(r.later).toBe('CLOSED');
  });
});

describe('load', () => {
  it('200 concurrent calls over 5 images give the sequential results, encode each image once, and stay in budget', async () => {
    const r = await ctx.page.evaluate(
      async ({ model }) => {
        const { sam } = window;
        const budget = 5 * 16 * 1024 * 1024 + 1024; // room for the 5 SAM2 embeddings (16 MiB each)
        const images = [0, 1, 2, 3, 4].map((k) => sam.drawImage(48, 36, (x, y) => sam.texture(x * (k + 1), y + k)));
        const request = (i: number) => ({ image: images[i % 5]!, point_coords: [[(i * 7) % 48, (i * 5) % 36]], point_labels: [1], multimask_output: i % 2 === 0 });
        const key = (a: ArrayLike<number>) => Array.from(a, (v) => v.toFixed(4)).join(',');

        // Reference answers, one call at a time, in a separate segmenter.
        const reference = await sam.createSegmenter({ model, device: 'wasm' });
        const expected: string[] = [];
        for (let i = 0; i < 200; i++) expected.push(key((await reference.segment(request(i))).scores.data));
        await reference.close();

        const segmenter = await sam.createSegmenter({ model, device: 'wasm', cacheBytes: budget });
        try {
          const results = await Promise.all(Array.from({ length: 200 }, (_, i) => segmenter.segment(request(i))));
          const mismatches = results.filter((res, i) => key(res.scores.data) !== expected[i]).length;
          const dims = results.every((res, i) => res.masks.dims[0] === (i % 2 === 0 ? 3 : 1) && res.masks.dims[1] === 36);
          return { mismatches, dims, stats: await segmenter.stats(), budget };
        } finally {
          await segmenter.close();
        }
      },
      { model: SAM2 },
    );
    expect(r.mismatches).toBe(0);
    expect(r.dims).toBe(true);
    expect(r.stats).toMatchObject({ encoderRuns: 5, decoderRuns: 200, cacheMisses: 5, cacheHits: 195, cachedImages: 5 });
    expect(r.stats.cachedBytes).toBeLessThanOrEqual(r.budget);
  });

  it('with a budget for 2 images, 100 concurrent calls over 5 images stay within it and still answer correctly', async () => {
    const r = await ctx.page.evaluate(
      async ({ model }) => {
        const { sam } = window;
        const budget = 2 * 16 * 1024 * 1024;
        const images = [0, 1, 2, 3, 4].map((k) => sam.drawImage(48, 36, (x, y) => sam.texture(x * (k + 1), y + k)));
        const segmenter = await sam.createSegmenter({ model, device: 'wasm', cacheBytes: budget });
        try {
          const sizes: number[] = [];
          const results = await Promise.all(
            Array.from({ length: 100 }, (_, i) =>
              segmenter.segment({ image: images[i % 5]!, point_coords: [[10, 10]], point_labels: [1] }).then(async (res) => {
                sizes.push((await segmenter.stats()).cachedBytes);
                return res.scores.data[0]!;
              }),
            ),
          );
          const byImage = [0, 1, 2, 3, 4].map((k) => new Set(results.filter((_, i) => i % 5 === k)).size);
          return { maxCached: Math.max(...sizes), byImage, budget };
        } finally {
          await segmenter.close();
        }
      },
      { model: SAM2 },
    );
    expect(r.maxCached).toBeLessThanOrEqual(r.budget);
    // Re-encoding an evicted image gives the same answer every time.
    expect(r.byImage).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('privacy', () => {
  it('sends no request while images are segmented; only the page, its modules and the model files are fetched', async () => {
    const fresh = await ctx.harness.blankPage();
    const requests: Array<{ url: string; method: string; phase: string }> = [];
    let phase = 'load';
    // The context's log has the page's requests and its workers'.
    fresh.context().on('request', (req) => requests.push({ url: req.url(), method: req.method(), phase }));
    try {
      await fresh.goto(`${ctx.harness.origin}/test/browser/page.html`);
      await fresh.waitForFunction(() => 'sam' in window, null, { timeout: 60_000 });
      await fresh.evaluate(async (model) => {
        (window as unknown as { seg: unknown }).seg = await window.sam.createSegmenter({ model, device: 'wasm' });
        // A first request loads what the worker imports lazily.
        const seg = (window as unknown as { seg: Awaited<ReturnType<typeof window.sam.createSegmenter>> }).seg;
        await seg.segment({ image: window.sam.drawImage(16, 16, window.sam.texture), point_coords: [[1, 1]], point_labels: [1] });
      }, SAM2);
      phase = 'segment';
      const answered = await fresh.evaluate(async () => {
        const { sam } = window;
        const seg = (window as unknown as { seg: Awaited<ReturnType<typeof sam.createSegmenter>> }).seg;
        const canvas = new OffscreenCanvas(64, 48);
        const ctx = canvas.getContext('2d')!;
        ctx.fillStyle = '#c33';
        ctx.fillRect(10, 10, 30, 20);
        const blob = await canvas.convertToBlob({ type: 'image/png' });
        let n = 0;
        for (const image of [sam.drawImage(64, 48, sam.texture), blob, await createImageBitmap(blob), canvas]) {
          await seg.segment({ image, point_coords: [[20, 20]], point_labels: [1] });
          n++;
        }
        await seg.close();
        return n;
      });
      expect(answered).toBe(4);
      expect(requests.filter((r) => r.phase === 'segment')).toEqual([]);
      const origin = new URL(ctx.harness.origin).origin;
      for (const r of requests) {
        expect(r.method).toBe('GET');
        expect(new URL(r.url).origin).toBe(origin);
      }
      // The model files were among them (downloads are the only data the page fetches).
      expect(requests.some((r) => r.url.endsWith('/sam2-encoder.onnx'))).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});
