import { describe, expect, it } from 'vitest';
import { binaryAt, descendingOrder, postprocess, selectTokens, stabilityScore } from '../../lib/pipeline/postprocess.js';
import { geometryFor } from '../../lib/pipeline/preprocess.js';
import type { BinaryMasks, Tensor } from '../../lib/types.js';
import { reference } from '../golden/reference.js';

const PLANE = 256 * 256;

/** T tokens; token t is `value(t, i)` at flat index i. */
function output(iou: number[], value: (t: number, i: number) => number) {
  const lowRes = new Float32Array(iou.length * PLANE);
  for (let t = 0; t < iou.length; t++) for (let i = 0; i < PLANE; i++) lowRes[t * PLANE + i] = value(t, i);
  return { lowRes, iou: Float32Array.from(iou), tokens: iou.length };
}

describe('descendingOrder (argsort()[::-1])', () => {
  it.each(reference.argsort)('orders %j as numpy does: %j', (scores, order) => {
    expect(descendingOrder(Float32Array.from(scores))).toEqual(order);
  });
});

describe('stabilityScore', () => {
  it('is count(>0.05) / count(>-0.05), and 1 when nothing exceeds -0.05', () => {
    const o = output([0, 0], (t, i) => (t === 0 ? (i < 100 ? 1 : i < 125 ? 0 : -1) : -5));
    expect(stabilityScore(o.lowRes, 0)).toBeCloseTo(100 / 125, 6);
    expect(stabilityScore(o.lowRes, 1)).toBe(1);
  });
});

describe('selectTokens', () => {
  const stable = output([0.1, 0.5, 0.9, 0.7], (t, i) => (t === 0 ? (i < 1000 ? 5 : -5) : 0));
  const unstable = output([0.1, 0.5, 0.9, 0.7], (t, i) => (t === 0 ? (i < 1000 ? 5 : 0) : 0));

  it('multimask returns tokens 1–3 of a 4-token decoder', () => {
    expect(selectTokens(stable, true)).toEqual([1, 2, 3]);
  });
  it('single-mask returns token 0 when it is stable (≥ 0.98)', () => {
    expect(selectTokens(stable, false)).toEqual([0]);
  });
  it('single-mask falls back to the best-IoU multimask token when token 0 is unstable', () => {
    expect(selectTokens(unstable, false)).toEqual([2]);
  });
  it('a 3-token (multimask-only) decoder: all 3, or the best IoU', () => {
    const o = output([0.2, 0.8, 0.8], () => 0);
    expect(selectTokens(o, true)).toEqual([0, 1, 2]);
    expect(selectTokens(o, false)).toEqual([1]); // first maximum, as torch.argmax
  });
});

describe('postprocess', () => {
  it('sorts masks, scores and logits together, clamps logits to ±32 and keeps masks unclamped', () => {
    const o = output([0.1, 0.3, 0.9, 0.3], (t) => [0, 40, -50, 7][t]!);
    const r = postprocess(o, geometryFor('sam2', 3, 2), { multimask: true, returnLogits: true });
    expect(Array.from(r.scores.data)).toEqual([0.9, 0.3, 0.3].map(Math.fround));
    // tokens [1, 2, 3] with scores [0.3, 0.9, 0.3] → order [2, 3, 1] (tie in reverse order)
    expect([...new Set((r.masks as Tensor).data)]).toEqual([-50, 7, 40]);
    expect(r.logits.data[0]).toBe(-32);
    expect(r.logits.data[PLANE]).toBe(7);
    expect(r.logits.data[2 * PLANE]).toBe(32);
    expect(r.masks.dims).toEqual([3, 2, 3]);
    expect(r.logits.dims).toEqual([3, 256, 256]);
  });

  it('return_logits=false gives 0/1 masks; uint8 and bits formats agree with float32', () => {
    // A vertical edge: left half positive.
    const o = output([0.5, 0.6, 0.7, 0.8], (_, i) => ((i % 256) < 128 ? 3 : -3));
    const g = geometryFor('sam2', 13, 7);
    const floats = postprocess(o, g, { multimask: true, returnLogits: false }).masks as Tensor;
    expect(new Set(floats.data)).toEqual(new Set([0, 1]));
    for (const maskFormat of ['uint8', 'bits'] as const) {
      const m = postprocess(o, g, { multimask: true, returnLogits: true, maskFormat }).masks as BinaryMasks;
      expect(m.format).toBe(maskFormat);
      expect(m.data.length).toBe(maskFormat === 'uint8' ? 3 * 13 * 7 : Math.ceil((3 * 13 * 7) / 8));
      for (let i = 0; i < floats.data.length; i++) expect(binaryAt(m, i)).toBe(floats.data[i]);
    }
  });
});
