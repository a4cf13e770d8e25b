/**
 * The worker runtime in Debian's headless Chromium: onnxruntime-web on WebGPU (SwiftShader) and on
 * WASM inside a module worker, reached through comlink, with the per-image embedding cache.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSegmenter } from '../../lib/node.js';
import { fixtureModel, sam2Decoder, sam2Encoder } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';
import { SERVED_FIXTURES, useHarness } from './harness.js';

const FIXTURES = SERVED_FIXTURES;
const NODE_FIXTURES = {
  sam2: fixtureModel('sam2'),
  sam1: fixtureModel('sam1'),
};
const REQUEST = { point_coords: '[[23,11]]', point_labels: '[1]', box: '[5,4,30,25]' };

const ctx = useHarness();

/** Runs the fixture request in a worker on `device`; returns logits, masks and the backend used. */
function runInWorker(family: 'sam1' | 'sam2', device: 'webgpu' | 'wasm') {
  return ctx.page.evaluate(
    async ({ model, device, request }) => {
      const { sam } = window;
      const segmenter = await sam.createSegmenter({ model, device });
      try {
        const image = sam.drawImage(40, 30, sam.texture);
        const r = await segmenter.segment({ image, ...request });
        return { backend: segmenter.backend, logits: Array.from(r.logits.data), masks: Array.from(r.masks.data), scores: Array.from(r.scores.data) };
      } finally {
        await segmenter.close();
      }
    },
    { model: FIXTURES[family], device, request: REQUEST },
  );
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('worker runtime in Chromium', () => {
  it('has a WebGPU adapter (SwiftShader here), in the page and in workers', async () => {
    const info = await ctx.page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter();
      return { found: !!adapter, isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency };
    });
    expect(info.found).toBe(true);
    expect(info.isolated).toBe(true);
  });

  it.each(['sam2', 'sam1'] as const)('%s fixture: WebGPU and WASM workers give the masks Node gives', async (family) => {
    const node = await createSegmenter({ worker: false, model: NODE_FIXTURES[family] });
    const expected = await node.segment({ image: drawImage(40, 30, texture), ...REQUEST });
    await node.close();
    for (const device of ['webgpu', 'wasm'] as const) {
      const got = await runInWorker(family, device);
      expect(got.backend.device).toBe(device);
      expect(maxDiff(got.logits, expected.logits.data), `${family} ${device} logits`).toBeLessThan(1e-4);
      expect(maxDiff(got.masks, expected.masks.data as Float32Array), `${family} ${device} masks`).toBeLessThan(1e-4);
      expect(got.scores).toEqual(Array.from(expected.scores.data));
    }
  });

  it('accepts every browser image form: canvas, OffscreenCanvas, ImageBitmap, <img>, Blob, ImageData', async () => {
    const r = await ctx.page.evaluate(async (model) => {
      const { sam } = window;
      const raw = sam.drawImage(40, 30, sam.texture);
      const imageData = new ImageData(new Uint8ClampedArray(raw.data), 40, 30);
      const canvas = Object.assign(document.createElement('canvas'), { width: 40, height: 30 });
      canvas.getContext('2d')!.putImageData(imageData, 0, 0);
      const offscreen = new OffscreenCanvas(40, 30);
      offscreen.getContext('2d')!.putImageData(imageData, 0, 0);
      const blob = await offscreen.convertToBlob({ type: 'image/png' });
      const img = new Image();
      img.src = URL.createObjectURL(blob);
      await img.decode();
      const forms = { imageData, canvas, offscreen, bitmap: await createImageBitmap(imageData), img, blob };
      const segmenter = await sam.createSegmenter({ model, device: 'wasm' });
      try {
        const reference = await segmenter.segment({ image: raw, point_coords: '[[12,7]]', point_labels: '[1]' });
        const same: Record<string, boolean> = {};
        for (const [name, image] of Object.entries(forms)) {
          const r = await segmenter.segment({ image, point_coords: '[[12,7]]', point_labels: '[1]' });
          same[name] = r.logits.data.every((v, i) => v === reference.logits.data[i]) && r.masks.dims.join() === '3,30,40';
        }
        return same;
      } finally {
        await segmenter.close();
      }
    }, FIXTURES.sam2);
    expect(r).toEqual({ imageData: true, canvas: true, offscreen: true, bitmap: true, img: true, blob: true });
  });

  it('keeps status, code and detail of errors across the worker boundary', async () => {
    const err = await ctx.page.evaluate(async (model) => {
      const segmenter = await window.sam.createSegmenter({ model, device: 'wasm' });
      try {
        const image = window.sam.drawImage(8, 8, window.sam.texture);
        const e = await segmenter.segment({ image, point_coords: '[[1,2]]' }).catch((x) => x);
        const ok = await segmenter.segment({ image, point_coords: '[[1,2]]', point_labels: '[1]' });
        return { name: e.name, status: e.status, code: e.code, json: JSON.stringify(e), isError: e instanceof Error, after: ok.scores.dims };
      } finally {
        await segmenter.close();
      }
    }, FIXTURES.sam2);
    expect(err).toEqual({
      name: 'SegmentAnything2Error',
      status: 400,
      code: 'INVALID_PROMPT',
      json: '{"detail":{"msg":"Error during model execution: point_labels must be supplied if point_coords is supplied.."}}',
      isError: true,
      after: [3],
    });
  });

  it('rejects pending calls at once when the worker dies, and starts a new one on the next call', async () => {
    const r = await ctx.page.evaluate(async (model) => {
      const segmenter = await window.sam.createSegmenter({ model, device: 'wasm' });
      const big = window.sam.drawImage(1500, 1500, window.sam.texture);
      const pending = segmenter.segment({ image: big, point_coords: '[[1,2]]', point_labels: '[1]' });
      await new Promise((res) => setTimeout(res, 0)); // the request is now with the worker
      (segmenter as unknown as { terminateWorker(): void }).terminateWorker();
      const image = window.sam.drawImage(64, 64, window.sam.texture);
      const err = await pending.catch((e) => e);
      const after = await segmenter.segment({ image, point_coords: '[[3,4]]', point_labels: '[1]' });
      const stats = await segmenter.stats();
      await segmenter.close();
      const closed = await segmenter.segment({ image }).catch((e) => e.code);
      return { code: err.code, afterDims: after.masks.dims, encoderRuns: stats.encoderRuns, closed };
    }, FIXTURES.sam2);
    expect(r).toEqual({ code: 'CLOSED', afterDims: [3, 64, 64], encoderRuns: 1, closed: 'CLOSED' });
  });
});

describe('backends', () => {
  it('keeps WebGPU embeddings on the GPU, reuses them, and frees evicted ones', async () => {
    const r = await ctx.page.evaluate(async (model) => {
      const { sam } = window;
      const embedding = 16 * 1024 * 1024;
      const segmenter = await sam.createSegmenter({ model, device: 'webgpu', cacheBytes: embedding });
      try {
        const a = sam.drawImage(40, 30, sam.texture);
        const b = sam.drawImage(30, 40, sam.texture);
        const first = await segmenter.segment({ image: a, point_coords: '[[5,5]]', point_labels: '[1]' });
        await segmenter.segment({ image: a, point_coords: '[[20,9]]', point_labels: '[1]' });
        const afterRepeat = await segmenter.stats();
        await segmenter.segment({ image: b, point_coords: '[[5,5]]', point_labels: '[1]' }); // evicts a
        const again = await segmenter.segment({ image: a, point_coords: '[[5,5]]', point_labels: '[1]' });
        return { backend: segmenter.backend, afterRepeat, final: await segmenter.stats(), same: Array.from(again.logits.data).every((v, i) => v === first.logits.data[i]) };
      } finally {
        await segmenter.close();
      }
    }, FIXTURES.sam2);
    expect(r.backend.device).toBe('webgpu');
    expect(r.afterRepeat).toMatchObject({ encoderRuns: 1, decoderRuns: 2, embeddingLocation: 'gpu-buffer' });
    expect(r.final).toMatchObject({ encoderRuns: 3, cachedImages: 1 });
    expect(r.same).toBe(true);
    // The 1024² SAM2 fixture on SwiftShader: minutes on 2 cores with Chromium 156 (docs/browser-testing.md §6).
  }, 600_000);

  it("without WebGPU, 'auto' falls back to WASM with its reason and 'webgpu' rejects clearly", async () => {
    const noGpu = await ctx.harness.page({ webgpu: false });
    const r = await noGpu.evaluate(async (model) => {
      const auto = await window.sam.createSegmenter({ model });
      const backend = auto.backend;
      await auto.close();
      const err = await window.sam.createSegmenter({ model, device: 'webgpu' }).catch((e) => e);
      return { backend, error: { name: err.name, code: err.code, message: err.message } };
    }, FIXTURES.sam2);
    expect(r.backend.device).toBe('wasm');
    expect(r.backend.fallbackReason).toMatch(/adapter/);
    expect(r.error).toMatchObject({ name: 'SegmentAnything2Error', code: 'BACKEND_UNAVAILABLE' });
    expect(r.error.message).toMatch(/^WebGPU cannot start: .*adapter/);
  });
});

describe('model store', () => {
  it('keeps checked downloads in Cache Storage, lists and deletes them, and never stores a bad one', async () => {
    const bytes = sam2Decoder();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const r = await ctx.page.evaluate(
      async ({ url, bytes, sha256 }) => {
        const { sam } = window;
        const store = new sam.CacheStorageModelStore('sam2-web-test');
        const entry = { modelId: 'fixture/sam2', version: '1', file: 'decoder' as const };
        const bad = await sam.loadModelFile({ url, bytes, sha256: '0'.repeat(64) }, entry, { store, retries: 0 }).catch((e) => e.code);
        const afterBad = await store.list();
        const first = await sam.loadModelFile({ url, bytes, sha256 }, entry, { store });
        await first.stored;
        const second = await sam.loadModelFile({ url: url + '?never-fetched', bytes, sha256 }, entry, { store });
        const listed = await store.list();
        const deleted = await store.delete('fixture/sam2');
        return { bad, afterBad, fromCache: [first.fromCache, second.fromCache], same: second.data.length === bytes, listed, deleted, after: await store.list() };
      },
      { url: `${ctx.harness.origin}${FIXTURES.sam2.decoder}`, bytes: bytes.length, sha256 },
    );
    expect(r).toEqual({
      bad: 'MODEL_LOAD',
      afterBad: [],
      fromCache: [false, true],
      same: true,
      listed: [{ modelId: 'fixture/sam2', version: '1', file: 'decoder', sha256, bytes: bytes.length }],
      deleted: 1,
      after: [],
    });
  });
});

describe('model loading in the worker', () => {
  it('reports byte progress per file, keeps checked files in Cache Storage, and serves them from there', async () => {
    const file = (bytes: Uint8Array, url: string) => ({ url: `${ctx.harness.origin}${url}`, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const model = {
      id: 'fixture/stored',
      version: '1',
      encoder: file(sam2Encoder(), FIXTURES.sam2.encoder),
      decoder: file(sam2Decoder(), FIXTURES.sam2.decoder),
    };
    const r = await ctx.page.evaluate(async (model) => {
      const { sam } = window;
      await sam.deleteCachedModel(model.id);
      const load = async () => {
        const events: Array<{ file: string; loaded: number; total: number; fromCache: boolean }> = [];
        const s = await sam.createSegmenter({ model, device: 'wasm', onProgress: (p) => events.push(p) });
        await s.close();
        return events;
      };
      const first = await load();
      const listed = await sam.listCachedModels();
      const second = await load();
      const deleted = await sam.deleteCachedModel(model.id);
      return { first, second, listed: listed.filter((e) => e.modelId === model.id), deleted, after: (await sam.listCachedModels()).filter((e) => e.modelId === model.id) };
    }, model);
    for (const role of ['encoder', 'decoder'] as const) {
      const events = r.first.filter((e) => e.file === role);
      expect(events.length).toBeGreaterThan(1);
      for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded);
      expect(new Set(events.map((e) => e.total))).toEqual(new Set([model[role].bytes]));
      expect(events.at(-1)).toMatchObject({ loaded: model[role].bytes, fromCache: false });
      expect(r.second.filter((e) => e.file === role)).toEqual([{ file: role, url: model[role].url, loaded: model[role].bytes, total: model[role].bytes, fromCache: true }]);
    }
    expect(r.listed.map((e) => e.file).sort()).toEqual(['decoder', 'encoder']);
    expect(r.deleted).toBe(2);
    expect(r.after).toEqual([]);
  });
});

describe('response memory', () => {
  it('writes masks into buffers a helper thread mapped in advance, each handed out once', async () => {
    const r = await ctx.page.evaluate(
      async ({ model, request }) => {
        const { sam } = window;
        const segmenter = await sam.createSegmenter({ model, device: 'wasm' });
        try {
          const image = await segmenter.setImage(sam.drawImage(160, 120, sam.texture));
          const kept: Array<{ response: Awaited<ReturnType<typeof segmenter.segment>>; copy: number[] }> = [];
          for (let i = 0; i < 6; i++) {
            const response = await segmenter.segment({ image, ...request });
            kept.push({ response, copy: Array.from(response.masks.data) });
            // Room for the helper's next buffer to land (it is made while the next decoder run goes on).
            await new Promise((res) => setTimeout(res, 150));
          }
          const other = await segmenter.segment({ image: sam.drawImage(40, 30, sam.texture), ...request });
          const stats = await segmenter.stats();
          return {
            stats: stats.responseBuffers,
            sameAsFirst: kept.map(({ copy }) => copy.every((v, i) => v === kept[0]!.copy[i])),
            untouched: kept.map(({ response, copy }) => Array.from(response.masks.data).every((v, i) => v === copy[i])),
            distinctBuffers: new Set(kept.map(({ response }) => response.masks.data.buffer)).size,
            otherDims: other.masks.dims,
          };
        } finally {
          await segmenter.close();
        }
      },
      { model: FIXTURES.sam1, request: REQUEST },
    );
    expect(r.sameAsFirst).toEqual([true, true, true, true, true, true]);
    expect(r.untouched).toEqual([true, true, true, true, true, true]);
    expect(r.distinctBuffers).toBe(6);
    expect(r.otherDims).toEqual([3, 30, 40]);
    // The first response (and the other size's) are allocated on the spot; the later ones were prefaulted.
    expect(r.stats.prefaulted).toBeGreaterThanOrEqual(4);
    expect(r.stats.prefaulted + r.stats.fresh).toBe(7);
  });
});

describe('embedded model in a WASM worker', () => {
  it('segments a drawn disk, rectangle and ellipse from a click and from a box, encoding once', async () => {
    const fresh = await ctx.harness.page();
    const r = await fresh.evaluate(async () => {
      const { sam } = window;
      const W = 480, H = 360;
      const shapes = {
        disk: { inside: (x: number, y: number) => (x - 110) ** 2 + (y - 120) ** 2 <= 60 ** 2, click: [110, 120], box: [46, 56, 174, 184] },
        rectangle: { inside: (x: number, y: number) => x >= 220 && x <= 330 && y >= 60 && y <= 200, click: [275, 130], box: [214, 54, 336, 206] },
        ellipse: { inside: (x: number, y: number) => ((x - 360) / 80) ** 2 + ((y - 280) / 45) ** 2 <= 1, click: [360, 280], box: [274, 229, 446, 331] },
      };
      const colours: Record<string, [number, number, number]> = { disk: [220, 60, 40], rectangle: [40, 90, 210], ellipse: [240, 200, 40] };
      const image = sam.drawImage(W, H, (x, y) => {
        for (const [name, s] of Object.entries(shapes)) if (s.inside(x, y)) return colours[name]!;
        return sam.texture(x, y);
      });
      const segmenter = await sam.createSegmenter({ device: 'wasm' });
      const handle = await segmenter.setImage(image);
      // Only the library's prompt calls run inside [t0, t1]: the scene, the encode and the IoU
      // arithmetic are outside,
      // and the window starts from a collected heap.
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((res) => setTimeout(res, 50));
      const t0 = performance.now();
      const results = [];
      for (const [name, s] of Object.entries(shapes)) {
        const click = await segmenter.segment({ image: handle, point_coords: [s.click], point_labels: [1], multimask_output: false }, { maskFormat: 'uint8' });
        const box = await segmenter.segment({ image, box: s.box, multimask_output: false }, { maskFormat: 'bits' });
        results.push({ name, s, click, box });
      }
      const t1 = performance.now();
      await new Promise((res) => setTimeout(res, 0)); // the IoU arithmetic below runs in a later task
      const ious: Record<string, number> = {};
      for (const { name, s, click, box } of results) {
        ious[`${name} click`] = sam.iou(click.masks, 0, s.inside);
        ious[`${name} box`] = sam.iou(box.masks, 0, s.inside);
      }
      await new Promise((res) => setTimeout(res, 100));
      const stats = await segmenter.stats();
      const backend = segmenter.backend;
      await segmenter.close();
      const longTasks = sam.longTasks.filter((t) => t.start >= t0 && t.start < t1);
      return { ious, stats, backend, longTasks, cores: navigator.hardwareConcurrency };
    });
    for (const [name, value] of Object.entries(r.ious)) expect(value, name).toBeGreaterThanOrEqual(0.85);
    expect(r.stats).toMatchObject({ encoderRuns: 1, decoderRuns: 6, cacheHits: 6 });
    expect(r.backend.device).toBe('wasm');
    expect(r.cores).toBeGreaterThanOrEqual(2);
    expect(r.backend.threads).toBe(2);
    expect(r.longTasks.filter((t) => t.duration > 50)).toEqual([]);
  });
});
