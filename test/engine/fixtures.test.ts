/**
 * The whole request → response path on fixture models whose logits are known functions of the
 * first prompt point (test/fixtures/models.ts), in Node on onnxruntime-web's wasm backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, toGatewayJSON, type BinaryMasks, type Segmenter, type Tensor } from '../../lib/node.js';
import { fixtureModel, fixtureIou, fixtureLogit, sam1Decoder, sam1Encoder, sam2Decoder, sam2Encoder, SAM1_SINGLE_ALL_TOKENS, TOKEN_RADIUS } from '../fixtures/models.js';
import { drawImage, maskStats, texture } from '../helpers.js';

const W = 400;
const H = 300;
const image = drawImage(W, H, texture);
const f = Math.fround;

let sam2: Segmenter;
let sam2all: Segmenter;
let sam1: Segmenter;
beforeAll(async () => {
  [sam2, sam2all, sam1] = await Promise.all([
    createSegmenter({ worker: false, model: fixtureModel('sam2') }),
    createSegmenter({ worker: false, model: { id: 'fixture/sam2-4tok', encoder: sam2Encoder(), decoder: sam2Decoder(true) } }),
    createSegmenter({ worker: false, model: fixtureModel('sam1') }),
  ]);
});
afterAll(async () => {
  await Promise.all([sam2, sam2all, sam1].map((s) => s?.close()));
});

/** Every one of the 3 H×W masks has its centroid within a pixel of (x, y). */
function expectCentroids(masks: Tensor | BinaryMasks, x: number, y: number): void {
  expect(masks.dims).toEqual([3, H, W]);
  for (let k = 0; k < 3; k++) {
    const { cx, cy } = maskStats(masks, k);
    expect(Math.abs(cx - x)).toBeLessThan(1);
    expect(Math.abs(cy - y)).toBeLessThan(1);
  }
}

/** The radius in grid cells of each returned mask, identified by its area in the low-res logits. */
function radii(logits: Tensor): number[] {
  const out: number[] = [];
  for (let k = 0; k < logits.dims[0]!; k++) {
    let area = 0;
    for (let i = 0; i < 65536; i++) if (logits.data[k * 65536 + i]! > 0) area++;
    out.push(TOKEN_RADIUS.reduce((best, r) => (Math.abs(Math.PI * r * r - area) < Math.abs(Math.PI * best * best - area) ? r : best)));
  }
  return out;
}

describe('SAM2 fixture (samexporter contract, 3 multimask tokens)', () => {
  it.each([
    ['pixel coordinates', { point_coords: '[[123,77]]', normalize_coords: true }],
    ['normalized coordinates', { point_coords: [[123 / W, 77 / H]], normalize_coords: 'false' }],
  ])('puts the mask centroid on the clicked pixel of a non-square image (%s)', async (_, prompt) => {
    const r = await sam2.segment({ image, point_labels: '[1]', ...prompt });
    expectCentroids(r.masks, 123, 77);
  });

  it('pins the low-res logits to the coordinate transform x/W·1024, y/H·1024', async () => {
    const r = await sam2.segment({ image, point_coords: '[[123,77]]', point_labels: '[1]' });
    const first: [number, number] = [f(f(123 / W) * 1024), f(f(77 / H) * 1024)];
    // Sorted by score: token 2 (0.9), token 1 (0.6), token 3 (0.3).
    expect(Array.from(r.scores.data)).toEqual([0.9, 0.6, 0.3].map(f));
    [2, 1, 3].forEach((token, k) => {
      let maxErr = 0;
      for (let i = 0; i < 256; i++) {
        for (let j = 0; j < 256; j++) {
          const expected = Math.max(-32, Math.min(32, fixtureLogit(token, i, j, first, 1)));
          maxErr = Math.max(maxErr, Math.abs(r.logits.data[k * 65536 + i * 256 + j]! - expected));
        }
      }
      expect(maxErr).toBeLessThan(1e-4);
    });
  });

  it('upsamples 256² logits straight to H×W with align_corners=False bilinear', async () => {
    const r = await sam2.segment({ image, point_coords: '[[200,150]]', point_labels: '[1]' });
    const masks = r.masks as Tensor;
    // The best mask is token 2; masks come from its unclamped logits.
    const first: [number, number] = [f(f(200 / W) * 1024), f(f(150 / H) * 1024)];
    for (const [x, y] of [[0, 0], [17, 203], [200, 150], [399, 299], [250, 10]] as const) {
      const sx = Math.max((x + 0.5) * (256 / W) - 0.5, 0);
      const sy = Math.max((y + 0.5) * (256 / H) - 0.5, 0);
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, 255), y1 = Math.min(y0 + 1, 255);
      const lx = sx - x0, ly = sy - y0;
      const v = (i: number, j: number) => fixtureLogit(2, i, j, first, 1);
      const expected = (1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1)) + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1));
      expect(masks.data[y * W + x]).toBeCloseTo(expected, 4);
    }
  });

  it('orders tied scores in reverse index order, as argsort()[::-1] does', async () => {
    // Two points: IoU = [0.6, 0.9, 0.6] for tokens 1, 2, 3 → order 2, 3, 1.
    const r = await sam2.segment({ image, point_coords: '[[100,100],[300,200]]', point_labels: '[1,0]' });
    expect(Array.from(r.scores.data)).toEqual([fixtureIou(2, 2), fixtureIou(3, 2), fixtureIou(1, 2)]);
    expect(radii(r.logits)).toEqual([12, 24, 4]);
  });

  it('single-mask output returns the best-IoU multimask token', async () => {
    const r = await sam2.segment({ image, point_coords: '[[123,77]]', point_labels: '[1]', multimask_output: false });
    expect(r.masks.dims).toEqual([1, H, W]);
    expect(Array.from(r.scores.data)).toEqual([f(0.9)]);
    expect(radii(r.logits)).toEqual([12]);
  });

  it('places box corners before clicks: the first point is the box top-left', async () => {
    for (const extra of [{}, { point_coords: '[[300,250]]', point_labels: '[1]' }]) {
      const r = await sam2.segment({ image, box: '[60,40,220,180]', ...extra });
      const { cx, cy } = maskStats(r.masks, 0);
      expect(Math.abs(cx - 60)).toBeLessThan(1);
      expect(Math.abs(cy - 40)).toBeLessThan(1);
    }
  });

  it('feeds mask_input back: logits become disk + previous logits', async () => {
    const first = await sam2.segment({ image, point_coords: '[[123,77]]', point_labels: '[1]' });
    const prev = first.logits.data.subarray(0, 65536);
    const second = await sam2.segment({
      image,
      point_coords: '[[123,77]]',
      point_labels: '[1]',
      mask_input: { data: prev, dims: [1, 256, 256] },
    });
    for (let i = 0; i < 65536; i += 97) {
      expect(second.logits.data[i]).toBeCloseTo(Math.max(-32, Math.min(32, first.logits.data[i]! + prev[i]!)), 4);
    }
  });

  it('gives the runner body from toGatewayJSON', async () => {
    const small = drawImage(5, 4, texture);
    const r = await sam2.segment({ image: small, point_coords: '[[2,2]]', point_labels: '[1]', return_logits: false });
    const body = JSON.parse(toGatewayJSON(r));
    expect(Object.keys(body)).toEqual(['masks', 'scores', 'logits']);
    expect(body.scores).toBe('[0.8999999761581421, 0.6000000238418579, 0.30000001192092896]');
    expect(body.masks).toMatch(/^\[\[\[(1\.0|0\.0)(, (1\.0|0\.0)){4}\], /);
  });
});

describe('SAM2 fixture exposing all 4 tokens', () => {
  it('single-mask: token 0 when stable, else the best-IoU multimask token', async () => {
    const unstable = await sam2all.segment({ image, point_coords: '[[123,77]]', point_labels: '[1]', multimask_output: false });
    expect(radii(unstable.logits)).toEqual([12]);
    const stable = await sam2all.segment({ image, point_coords: '[[123,77],[50,50]]', point_labels: '[1,1]', multimask_output: false });
    expect(radii(stable.logits)).toEqual([8]);
    expect(Array.from(stable.scores.data)).toEqual([f(0.5)]);
  });

  it('multimask returns tokens 1–3 only', async () => {
    const r = await sam2all.segment({ image, point_coords: '[[123,77]]', point_labels: '[1]' });
    expect(radii(r.logits).sort((a, b) => a - b)).toEqual([4, 12, 24]);
  });
});

describe('SAM1 fixture (Meta contract)', () => {
  it('maps clicks through the longest-side resize and crops the padding when upsampling', async () => {
    const r = await sam1.segment({ image, point_coords: '[[123,77]]', point_labels: '[1]' });
    expectCentroids(r.masks, 123, 77);
  });

  it('puts clicks before the box, and uses the box top-left when there are no clicks', async () => {
    const clicked = await sam1.segment({ image, point_coords: '[[300,250]]', point_labels: '[1]', box: '[60,40,220,180]' });
    expect(maskStats(clicked.masks, 0).cx).toBeCloseTo(300, 0);
    const boxOnly = await sam1.segment({ image, box: [60, 40, 220, 180] });
    expect(maskStats(boxOnly.masks, 0).cx).toBeCloseTo(60, 0);
  });

  it('reads all 4 tokens of a single-mask export through allTokenOutputs', async () => {
    const decoder = sam1Decoder(true);
    const patched = await createSegmenter({ worker: false, model: { id: 'a', encoder: sam1Encoder(), decoder, allTokenOutputs: SAM1_SINGLE_ALL_TOKENS } });
    const plain = await createSegmenter({ worker: false, model: { id: 'b', encoder: sam1Encoder(), decoder } });
    try {
      const request = { image, point_coords: '[[123,77]]', point_labels: '[1]' };
      expect((await patched.segment(request)).scores.dims).toEqual([3]);
      // Without the extra outputs, only the graph's own pick is available.
      const single = await plain.segment(request);
      expect(single.scores.dims).toEqual([1]);
      expect(radii(single.logits)).toEqual([12]); // P = 2 (click + padding): best IoU among tokens 1–3
    } finally {
      await Promise.all([patched.close(), plain.close()]);
    }
  });
});
