/**
 * generateMasks and segmentObjects on fixture models (in Node, onnxruntime-web's wasm backend):
 * a decoder whose masks are fixed rectangles (regionsDecoder) must give each rectangle once, the
 * same batched or one point at a time; segmentObjects must equal one segment() call per prompt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, type MaskRecord, type Segmenter } from '../../lib/node.js';
import { rleToMask } from '../../lib/pipeline/amg.js';
import { REGION_IOU, regionsDecoder, sam1Decoder, sam1Encoder, sam2Decoder, sam2Encoder, SAM1_SINGLE_ALL_TOKENS, type CellRect } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';
import type { SegmentAnything2Response } from '../../lib/node.js';

/** Byte equality of two responses (vitest's deep equality is slow on megapixel typed arrays). */
function expectSameResponse(a: SegmentAnything2Response, b: SegmentAnything2Response): void {
  const bytes = (t: { data: ArrayBufferView }) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  for (const key of ['masks', 'scores', 'logits'] as const) {
    expect(a[key].dims).toEqual(b[key].dims);
    expect(a[key].data.constructor).toBe(b[key].data.constructor);
    expect('format' in a[key] ? (a[key] as { format: string }).format : 'float32').toBe('format' in b[key] ? (b[key] as { format: string }).format : 'float32');
    expect(bytes(a[key]).equals(bytes(b[key]))).toBe(true);
  }
}

const S = 512; // 2 image pixels per low-res cell
const image = drawImage(S, S, texture);
const RECTS: CellRect[] = [
  [20, 30, 60, 90],
  [100, 20, 200, 70],
  [40, 150, 230, 240],
];

let sam2: Segmenter;
let sam1: Segmenter;
let disks2: Segmenter;
let disks1: Segmenter;
beforeAll(async () => {
  [sam2, sam1, disks2, disks1] = await Promise.all([
    createSegmenter({ worker: false, model: { id: 'fixture/regions2', encoder: sam2Encoder(), decoder: regionsDecoder('sam2', RECTS) } }),
    createSegmenter({ worker: false, model: { id: 'fixture/regions1', encoder: sam1Encoder(), decoder: regionsDecoder('sam1', RECTS) } }),
    createSegmenter({ worker: false, model: { id: 'fixture/sam2', encoder: sam2Encoder(), decoder: sam2Decoder() } }),
    createSegmenter({ worker: false, model: { id: 'fixture/sam1-single', encoder: sam1Encoder(), decoder: sam1Decoder(true), allTokenOutputs: SAM1_SINGLE_ALL_TOKENS } }),
  ]);
});
afterAll(async () => {
  await Promise.all([sam2, sam1, disks2, disks1].map((s) => s?.close()));
});

/** The first 16×16 grid point (row by row) inside a rectangle, in image pixels. */
function firstGridPoint([x0, y0, x1, y1]: CellRect, n = 8): [number, number] {
  for (let iy = 0; iy < n; iy++) {
    for (let ix = 0; ix < n; ix++) {
      const [x, y] = [((ix + 0.5) / n) * S, ((iy + 0.5) / n) * S];
      const [gx, gy] = [(2 * x + 0.5) / 4, (2 * y + 0.5) / 4]; // 1024-space is 2× the image
      if (gx >= x0 && gx < x1 && gy >= y0 && gy < y1) return [x, y];
    }
  }
  throw new Error('no grid point in the rectangle');
}

function expectRegions(records: MaskRecord[]): void {
  expect(records).toHaveLength(RECTS.length);
  const sorted = [...records].sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
  const byTop = [...RECTS].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  sorted.forEach((r, k) => {
    const [x0, y0, x1, y1] = byTop[k]!;
    expect(r.bbox).toEqual([2 * x0, 2 * y0, 2 * x1 - 1 - 2 * x0, 2 * y1 - 1 - 2 * y0]);
    expect(r.area).toBe(4 * (x1 - x0) * (y1 - y0));
    expect(r.predicted_iou).toBe(Math.fround(REGION_IOU[0]));
    expect(r.stability_score).toBe(1);
    expect(r.crop_box).toEqual([0, 0, S, S]);
    expect(r.point_coords).toEqual([firstGridPoint(byTop[k]!)]);
    const seg = r.segmentation as { data: Uint8Array; dims: [number, number] };
    expect(seg.dims).toEqual([S, S]);
    let wrong = 0;
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const inside = x >= 2 * x0 && x < 2 * x1 && y >= 2 * y0 && y < 2 * y1;
      if ((seg.data[y * S + x] === 1) !== inside) wrong++;
    }
    expect(wrong).toBe(0);
  });
}

describe('generateMasks on a decoder with fixed regions', () => {
  it.each([
    ['SAM2 (samexporter contract)', () => sam2],
    ['SAM1 (Meta contract)', () => sam1],
  ])('finds each region exactly once, %s', async (_, seg) => {
    const progress: Array<[number, number]> = [];
    const records = await seg().generateMasks(image, { points_per_side: 8, points_per_batch: 16, onProgress: (p) => progress.push([p.done, p.total]) });
    expectRegions(records);
    expect(progress).toEqual([[0, 64], [16, 64], [32, 64], [48, 64], [64, 64]]);
  });

  it('gives the same records batched and one point at a time, in fewer decoder runs', async () => {
    const runs = async (o: { points_per_batch: number }) => {
      const before = (await sam2.stats()).decoderRuns;
      const records = await sam2.generateMasks(image, { points_per_side: 8, output_mode: 'uncompressed_rle', ...o });
      return { records, runs: (await sam2.stats()).decoderRuns - before };
    };
    const batched = await runs({ points_per_batch: 64 });
    const single = await runs({ points_per_batch: 1 });
    expect(batched.runs).toBe(1);
    expect(single.runs).toBe(64);
    expect(batched.records).toEqual(single.records);
    for (const r of batched.records) {
      const seg = r.segmentation as { size: [number, number]; counts: number[] };
      expect(seg.size).toEqual([S, S]);
      expect(rleToMask(seg.counts, S, S).reduce((a, v) => a + v, 0)).toBe(r.area);
    }
  });

  it('returns COCO RLE, and the same regions with use_m2m and with crops', async () => {
    const coco = await sam2.generateMasks(image, { points_per_side: 8, output_mode: 'coco_rle' });
    expect(coco.map((r) => (r.segmentation as { size: number[] }).size)).toEqual([[S, S], [S, S], [S, S]]);
    expectRegions(await sam2.generateMasks(image, { points_per_side: 8, use_m2m: true }));
    // One crop layer: the whole image plus 4 crops, each encoded and decoded. Crop masks touching
    // a crop edge are dropped, duplicates across crops are suppressed (smaller crops preferred).
    const cropped = await sam2.generateMasks(image, { points_per_side: 4, crop_n_layers: 1 });
    expect(cropped.length).toBeGreaterThanOrEqual(1);
    // generate_crop_boxes((512, 512), 1, 512/1500): overlap 174, crops of 343 at 0 and 169.
    const crops = [[0, 0, 512, 512], [0, 0, 343, 343], [0, 169, 343, 343], [169, 0, 343, 343], [169, 169, 343, 343]];
    for (const r of cropped) {
      expect(crops).toContainEqual(r.crop_box);
      const [cx, cy, cw, ch] = r.crop_box;
      const [x, y, w, h] = r.bbox;
      expect(x >= cx && y >= cy && x + w < cx + cw && y + h < cy + ch).toBe(true);
    }
  }, 300_000);

  it('finds nothing where every mask fails the thresholds', async () => {
    expect(await sam2.generateMasks(image, { points_per_side: 4, pred_iou_thresh: 0.96 })).toEqual([]);
  });

  it('stops on abort, and the segmenter keeps serving', async () => {
    const controller = new AbortController();
    const p = sam2.generateMasks(image, {
      points_per_side: 8,
      points_per_batch: 8,
      signal: controller.signal,
      onProgress: ({ done }) => done >= 16 && controller.abort(),
    });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expectRegions(await sam2.generateMasks(image, { points_per_side: 8 }));
  });

  it('rejects bad options with a 400', async () => {
    await expect(sam2.generateMasks(image, { points_per_batch: 0 })).rejects.toMatchObject({ status: 400, code: 'INVALID_PROMPT' });
  });
});

describe('segmentObjects', () => {
  const prompts = [
    { point_coords: [[100, 80]], point_labels: [1] },
    { box: [50, 60, 300, 200] },
    { point_coords: [[300, 90]], point_labels: [1] },
    { point_coords: [[30, 40], [200, 220]], point_labels: [1, 0] },
    { box: [[10, 10, 90, 120]], point_coords: [[40, 50]], point_labels: [1] },
    { box: [200, 250, 400, 500] },
  ];

  it.each([
    // SAM2 encodes a box as 2 points (as 2 clicks), SAM1 a click with a padding point: 3 and 2 shapes.
    ['SAM2', () => disks2, 3],
    ['SAM1 single-mask export', () => disks1, 2],
  ])('answers each prompt as segment() alone would, in one run per prompt shape (%s)', async (_, seg, shapes) => {
    for (const options of [{}, { multimask_output: false, return_logits: false }, { maskFormat: 'bits' as const }]) {
      const before = (await seg().stats()).decoderRuns;
      const all = await seg().segmentObjects(image, prompts, options);
      expect((await seg().stats()).decoderRuns - before).toBe(shapes);
      expect(all).toHaveLength(prompts.length);
      for (let i = 0; i < prompts.length; i++) {
        const { maskFormat, ...fields } = options as { maskFormat?: 'bits' };
        const alone = await seg().segment({ image, ...prompts[i], ...fields }, { maskFormat });
        expectSameResponse(all[i]!, alone);
      }
    }
  });

  it('batches mask prompts too, and reports a bad prompt as segment() does', async () => {
    const first = await disks2.segment({ image, point_coords: [[100, 80]], point_labels: [1] });
    const mask_input = { data: first.logits.data.slice(0, 65536), dims: [1, 256, 256] };
    const withMask = [
      { point_coords: [[100, 80]], point_labels: [1], mask_input },
      { point_coords: [[300, 90]], point_labels: [1], mask_input },
    ];
    const both = await disks2.segmentObjects(image, withMask);
    for (let i = 0; i < 2; i++) expectSameResponse(both[i]!, await disks2.segment({ image, ...withMask[i] }));
    const bad = { point_coords: [[1, 2]], point_labels: [1, 1] };
    const single = await disks2.segment({ image, ...bad }).catch((e) => e);
    await expect(disks2.segmentObjects(image, [prompts[0]!, bad])).rejects.toEqual(single);
    expect(await disks2.segmentObjects(image, [])).toEqual([]);
  });
});
