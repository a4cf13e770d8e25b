/**
 * generateMasks and segmentObjects in Chromium, through the real browser worker (comlink), on the
 * embedded model (WASM): the drawn shapes are found, records keep the reference's fields, progress
 * and abort cross the worker boundary, COCO RLE survives the transfer, and segmentObjects answers
 * byte for byte what one segment() per prompt answers. An 8×8 grid keeps it short on shared cores.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Segmenter } from '../../lib/index.js';
import { H, SHAPES, W } from '../shapes-scene.js';
import { startHarness, type Harness } from './harness.js';

declare global {
  interface Window {
    /** The segmenter these tests share, made in beforeAll. */
    seg: Segmenter;
  }
}

let harness: Harness;
let page: Page;
beforeAll(async () => {
  harness = await startHarness();
  // Without WebGPU: the embedded model on SwiftShader would take minutes; WASM takes seconds.
  page = await harness.page({ webgpu: false });
  const backend = await page.evaluate(async () => {
    window.seg = await window.sam.createSegmenter({ device: 'wasm' });
    return window.seg.backend.device;
  });
  expect(backend).toBe('wasm');
}, 300_000);
afterAll(async () => {
  await page?.evaluate(() => window.seg?.close()).catch(() => undefined);
  await harness?.close();
});

/** SHA-256 (hex) of a typed array's bytes, in the page. */
const DIGEST = `async (a) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(a.buffer, a.byteOffset, a.byteLength))), (b) => b.toString(16).padStart(2, '0')).join('')`;

describe('automatic masks in Chromium (worker, embedded model, WASM)', () => {
  it('generateMasks finds each drawn shape, with the reference fields and monotonic progress', async () => {
    const r = await page.evaluate(
      async ({ W, H }) => {
        const { sam, seg } = window;
        const scene = sam.shapes.shapesScene();
        const progress: Array<{ done: number; total: number }> = [];
        const before = (await seg.stats()).decoderRuns;
        const records = await seg.generateMasks(scene, { points_per_side: 8, onProgress: (p) => void progress.push({ ...p }) });
        const decoderRuns = (await seg.stats()).decoderRuns - before;
        const best = Object.fromEntries(sam.shapes.SHAPES.map((s) => [s.name, Math.max(...records.map((m) => sam.shapes.sceneIou(m.segmentation.data, s.inside)))]));
        // Each record's own consistency: area and bbox from its pixels, on the whole image.
        const checks = records.map((m) => {
          const { data, dims } = m.segmentation;
          let area = 0;
          let [x0, y0, x1, y1] = [W, H, -1, -1];
          for (let y = 0; y < H; y++) {
            for (let x = 0; x < W; x++) {
              if (data[y * W + x] !== 1) continue;
              area++;
              [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
            }
          }
          return {
            keys: Object.keys(m).sort().join(),
            isUint8: data instanceof Uint8Array,
            binary: data.every((v) => v === 0 || v === 1),
            dims: [...dims],
            areaOk: m.area === area,
            bboxOk: m.bbox.join() === [x0, y0, x1 - x0, y1 - y0].join(),
            crop_box: m.crop_box,
            predicted_iou: m.predicted_iou,
            stability_score: m.stability_score,
            point: m.point_coords,
          };
        });
        return { count: records.length, best, checks, progress, decoderRuns };
      },
      { W, H },
    );
    for (const s of SHAPES) expect(r.best[s.name], s.name).toBeGreaterThanOrEqual(0.9);
    expect(r.count).toBeGreaterThanOrEqual(3);
    // 64 points at the default points_per_batch (64): one decoder run (the batch axis made dynamic).
    expect(r.decoderRuns).toBe(1);
    for (const c of r.checks) {
      expect(c.keys).toBe('area,bbox,crop_box,point_coords,predicted_iou,segmentation,stability_score');
      expect(c).toMatchObject({ isUint8: true, binary: true, dims: [H, W], areaOk: true, bboxOk: true, crop_box: [0, 0, W, H] });
      expect(c.predicted_iou).toBeGreaterThan(Math.fround(0.8));
      expect(c.stability_score).toBeGreaterThanOrEqual(Math.fround(0.95));
      // A point of the 8×8 grid: (i + 0.5) / 8 of the image's side (float32).
      expect(c.point).toHaveLength(1);
      const [x, y] = c.point[0]!;
      const cell = (v: number, side: number) => (v / side) * 8 - 0.5;
      expect(Math.abs(cell(x, W) - Math.round(cell(x, W)))).toBeLessThan(1e-4);
      expect(Math.abs(cell(y, H) - Math.round(cell(y, H)))).toBeLessThan(1e-4);
    }
    // Progress: starts at 0 of 64, never goes back, ends at 64 of 64.
    expect(r.progress[0]).toEqual({ done: 0, total: 64 });
    expect(r.progress.at(-1)).toEqual({ done: 64, total: 64 });
    for (let i = 1; i < r.progress.length; i++) {
      expect(r.progress[i]!.total).toBe(64);
      expect(r.progress[i]!.done).toBeGreaterThanOrEqual(r.progress[i - 1]!.done);
    }
  }, 600_000);

  it("output_mode 'coco_rle' crosses the worker as pycocotools' strings, equal to the binary masks' RLE", async () => {
    const r = await page.evaluate(async () => {
      const { sam, seg } = window;
      const scene = sam.shapes.shapesScene();
      // Smaller batches: several progress reports, and the same records as one batch.
      const binary = await seg.generateMasks(scene, { points_per_side: 8, points_per_batch: 16 });
      const coco = await seg.generateMasks(scene, { points_per_side: 8, points_per_batch: 16, output_mode: 'coco_rle' });
      return {
        binaryCount: binary.length,
        coco: coco.map((m) => ({ size: m.segmentation.size, countsType: typeof m.segmentation.counts, bbox: m.bbox, area: m.area })),
        rles: coco.map((m) => m.segmentation),
        expected: binary.map((m) => sam.toCocoRle({ data: m.segmentation.data, width: m.segmentation.dims[1], height: m.segmentation.dims[0] })),
        binaryBoxes: binary.map((m) => ({ bbox: m.bbox, area: m.area })),
      };
    });
    expect(r.coco).toHaveLength(r.binaryCount);
    expect(r.binaryCount).toBeGreaterThanOrEqual(3);
    for (const c of r.coco) expect(c).toMatchObject({ size: [H, W], countsType: 'string' });
    expect(r.rles).toEqual(r.expected);
    expect(r.coco.map(({ bbox, area }) => ({ bbox, area }))).toEqual(r.binaryBoxes);
  }, 600_000);

  it('an AbortSignal aborted mid-run rejects with ABORTED, and the segmenter keeps serving', async () => {
    const r = await page.evaluate(async (digestSource) => {
      const digest = (0, eval)(digestSource) as (a: ArrayBufferView) => Promise<string>;
      const { sam, seg } = window;
      const scene = sam.shapes.shapesScene();
      const request = { image: scene, point_coords: [[120, 120]], point_labels: [1] };
      const answer = async () => {
        const a = await seg.segment(request);
        return { scores: Array.from(a.scores.data), masks: await digest(a.masks.data), logits: await digest(a.logits.data) };
      };
      const before = await answer();
      const controller = new AbortController();
      const progress: number[] = [];
      const error = await seg
        .generateMasks(scene, {
          points_per_side: 8,
          points_per_batch: 4,
          signal: controller.signal,
          onProgress: ({ done }) => {
            progress.push(done);
            if (done >= 8) controller.abort();
          },
        })
        .then(
          () => undefined,
          (e: { name?: string; code?: string; status?: number }) => ({ name: e.name, code: e.code, status: e.status, isError: e instanceof Error }),
        );
      const after = await answer();
      // The next automatic run completes too.
      const again = await seg.generateMasks(scene, { points_per_side: 4 });
      return { error, progress, before, after, again: again.length };
    }, DIGEST);
    expect(r.error).toEqual({ name: 'SegmentAnything2Error', code: 'ABORTED', status: 499, isError: true });
    // It stopped part way: never all 64 points.
    expect(Math.max(...r.progress)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...r.progress)).toBeLessThan(64);
    expect(r.after).toEqual(r.before);
    expect(r.again).toBeGreaterThan(0);
  }, 600_000);

  it('segmentObjects equals one segment() per prompt, byte for byte, in fewer decoder runs', async () => {
    const r = await page.evaluate(async (digestSource) => {
      const digest = (0, eval)(digestSource) as (a: ArrayBufferView) => Promise<string>;
      const { sam, seg } = window;
      const image = await seg.setImage(sam.shapes.shapesScene());
      const prompts = [
        { point_coords: [[120, 120]], point_labels: [1] },
        { point_coords: '[[355,130]]', point_labels: '[1]' },
        { point_coords: [[285, 310]], point_labels: [1] },
        { box: [266, 56, 444, 204] },
        { point_coords: [[120, 120], [355, 130]], point_labels: [1, 0] },
      ];
      const summary = async (a: Awaited<ReturnType<Segmenter['segment']>>) => ({
        scores: Array.from(a.scores.data),
        dims: [...a.masks.dims],
        masks: await digest(a.masks.data),
        logits: await digest(a.logits.data),
      });
      const out: Record<string, { all: unknown[]; alone: unknown[]; runs: number }> = {};
      const cases = [
        { name: 'defaults', fields: {}, maskFormat: undefined },
        { name: 'bits, single mask, logits', fields: { multimask_output: false, return_logits: true }, maskFormat: 'bits' as const },
      ];
      for (const { name, fields, maskFormat } of cases) {
        const before = (await seg.stats()).decoderRuns;
        const all = await seg.segmentObjects(image, prompts, { ...fields, maskFormat });
        const runs = (await seg.stats()).decoderRuns - before;
        const alone = [];
        for (const p of prompts) alone.push(await summary(await seg.segment({ image, ...p, ...fields }, { maskFormat })));
        out[name] = { all: await Promise.all(all.map(summary)), alone, runs };
      }
      return out;
    }, DIGEST);
    for (const [name, { all, alone, runs }] of Object.entries(r)) {
      expect(all, name).toHaveLength(5);
      expect(all, name).toEqual(alone);
      // The prompts fall into at most 3 decoder input shapes: fewer runs than prompts.
      expect(runs, name).toBeGreaterThan(0);
      expect(runs, name).toBeLessThanOrEqual(3);
    }
    // The answers differ from prompt to prompt (not one answer repeated).
    expect(new Set(r.defaults!.all.map((a) => JSON.stringify(a))).size).toBe(5);
  }, 600_000);
});
