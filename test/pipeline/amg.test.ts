import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveAutomaticOptions } from '../../lib/automatic.js';
import {
  areaFromRle,
  boxNms,
  buildAllLayerPointGrids,
  componentAreas,
  fillHolesAndSprinkles,
  generateCropBoxes,
  isBoxNearCropEdge,
  maskBox,
  maskToRle,
  rleToMask,
  stabilityScore,
  type BoxXYXY,
} from '../../lib/pipeline/amg.js';
import { cocoRleFromCounts, toCocoRle } from '../../lib/pipeline/mask-export.js';

/** Values from SAM2's sam2/utils/amg.py (test/golden/generate-amg.py). */
const golden = JSON.parse(readFileSync(new URL('../golden/amg.json', import.meta.url), 'utf8'));

describe('automatic mask generator helpers vs the reference (amg.py)', () => {
  it('builds the point grids of every crop layer', () => {
    for (const c of golden.grids) {
      const grids = buildAllLayerPointGrids(c.n, c.layers, c.scale);
      expect(grids.map((g) => Array.from(g))).toEqual(c.grids);
    }
  });

  it('generates the crop boxes and their layers', () => {
    for (const c of golden.crops) {
      const { boxes, layerIdxs } = generateCropBoxes(c.w, c.h, c.layers, c.ratio);
      expect(boxes).toEqual(c.boxes);
      expect(layerIdxs).toEqual(c.layer_idxs);
    }
  });

  it('computes stability scores bit for bit (float32)', () => {
    for (const c of golden.stability) {
      const logits = Float32Array.from(c.logits);
      const n = c.h * c.w;
      const scores = c.scores.map((_: number, k: number) => stabilityScore(logits, c.threshold, c.offset, k * n, n));
      expect(scores).toEqual(c.scores);
    }
  });

  it('boxes masks with inclusive bounds, [0, 0, 0, 0] when empty', () => {
    const { h, w, masks, boxes } = golden.mask_boxes;
    boxes.forEach((box: number[], k: number) => expect(maskBox(masks.slice(k * h * w, (k + 1) * h * w), w, h)).toEqual(box));
  });

  it('run-length encodes masks uncropped into the image, with their areas', () => {
    for (const c of golden.rle) {
      const [x0, y0, x1, y1] = c.crop;
      const n = (x1 - x0) * (y1 - y0);
      c.counts.forEach((counts: number[], k: number) => {
        const mask = c.masks.slice(k * n, (k + 1) * n);
        const rle = maskToRle(mask, x1 - x0, y1 - y0, c.crop, c.W, c.H);
        expect(rle).toEqual(counts);
        expect(areaFromRle(rle)).toBe(c.areas[k]);
        // Back to a mask: the crop's pixels in place, zeros around.
        const full = rleToMask(rle, c.W, c.H);
        for (let y = 0; y < c.H; y++) {
          for (let x = 0; x < c.W; x++) {
            const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
            expect(full[y * c.W + x]).toBe(inside ? mask[(y - y0) * (x1 - x0) + (x - x0)] : 0);
          }
        }
        // The COCO string of the same counts is pycocotools' (equal to encoding the full mask).
        expect(cocoRleFromCounts(rle, c.W, c.H)).toEqual(toCocoRle({ data: full, width: c.W, height: c.H }));
      });
    }
  });

  it('finds boxes near a crop edge but not near the image edge', () => {
    for (const c of golden.near_edge) {
      expect(c.boxes.map((b: BoxXYXY) => isBoxNearCropEdge(b, c.crop, c.orig))).toEqual(c.near);
    }
  });

  it('suppresses boxes as torchvision nms (ties in index order)', () => {
    for (const c of golden.nms) {
      expect(boxNms(c.boxes, Float32Array.from(c.scores), c.threshold)).toEqual(c.keep);
    }
  });
});

describe('hole and sprinkle removal (SAM2 predictor postprocessing)', () => {
  const W = 12;
  const H = 10;
  const plane = () => {
    const p = new Float32Array(W * H).fill(-5);
    for (let y = 1; y < 8; y++) for (let x = 1; x < 8; x++) p[y * W + x] = 5; // a 7×7 square
    p[4 * W + 4] = -1; // a 1-pixel hole
    p[9 * W + 11] = 3; // a 1-pixel island in the corner
    p[8 * W + 10] = 3; // diagonal neighbour: 8-connected, so the island has 2 pixels
    return p;
  };

  it('labels 8-connected components with their areas', () => {
    const binary = Uint8Array.from(plane(), (v) => (v > 0 ? 1 : 0));
    const areas = componentAreas(binary, W, H);
    expect(areas[1 * W + 1]).toBe(48);
    expect(areas[9 * W + 11]).toBe(2);
    expect(areas[0]).toBe(0);
  });

  it('fills holes and drops islands up to the area, leaving larger regions', () => {
    const p = plane();
    fillHolesAndSprinkles(p, W, H, 2, 2);
    expect(p[4 * W + 4]).toBe(10);
    expect(p[9 * W + 11]).toBe(-10);
    expect(p[8 * W + 10]).toBe(-10);
    expect(p[1 * W + 1]).toBe(5);
    const q = plane();
    fillHolesAndSprinkles(q, W, H, 0, 1);
    expect(q[4 * W + 4]).toBe(-1);
    expect(q[9 * W + 11]).toBe(3);
  });
});

describe('generateMasks options', () => {
  const grids = buildAllLayerPointGrids;
  it('takes the reference defaults', () => {
    const o = resolveAutomaticOptions({}, grids);
    expect(o.pointGrids).toHaveLength(1);
    expect(o.pointGrids[0]).toHaveLength(32 * 32 * 2);
    expect(o).toMatchObject({ points_per_batch: 64, pred_iou_thresh: 0.8, stability_score_thresh: 0.95, box_nms_thresh: 0.7, output_mode: 'binary_mask', multimask_output: true, use_m2m: false });
  });
  it('refuses both or neither of points_per_side and point_grids, and bad values', () => {
    // Unlike Python, point_grids alone implies points_per_side: null (JS has no keyword to unset a default).
    expect(resolveAutomaticOptions({ point_grids: [[[0.5, 0.5]]] }, grids).pointGrids).toHaveLength(1);
    expect(() => resolveAutomaticOptions({ points_per_side: null }, grids)).toThrow(/exactly one/);
    expect(() => resolveAutomaticOptions({ points_per_side: 4, point_grids: [[[0.5, 0.5]]] }, grids)).toThrow(/exactly one/);
    expect(() => resolveAutomaticOptions({ points_per_batch: 0 }, grids)).toThrow(/points_per_batch/);
    expect(() => resolveAutomaticOptions({ output_mode: 'png' as never }, grids)).toThrow(/output_mode/);
    expect(() => resolveAutomaticOptions({ points_per_side: null, point_grids: [[[0.5, 0.5]]], crop_n_layers: 1 }, grids)).toThrow(/one grid per crop layer/);
    expect(Array.from(resolveAutomaticOptions({ points_per_side: null, point_grids: [[[0.25, 0.75]]] }, grids).pointGrids[0]!)).toEqual([0.25, 0.75]);
  });
});
