/**
 * onnxruntime-web's WebGPU execution provider in Node, through Dawn (the `webgpu` package) on
 * SwiftShader's Vulkan driver (./dawn.ts): the fixture models give the same answers as on WASM, the
 * embedding stays on the GPU, and the default worker thread gets a navigator.gpu of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, type SegmentAnything2Response as SegmentResponse, type Segmenter, type Tensor } from '../../lib/node.js';
import { fixtureModel } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';
import { installDawn, uninstallDawn } from './dawn.js';

const image = drawImage(160, 120, texture);
const request = { image, point_coords: '[[61,40]]', point_labels: '[1]' };

let adapterInfo: GPUAdapterInfo;
let wasm: Segmenter;
beforeAll(async () => {
  const adapter = await installDawn().requestAdapter();
  if (!adapter) throw new Error('Dawn found no Vulkan adapter (SwiftShader): the WebGPU tests cannot run.');
  adapterInfo = adapter.info;
  wasm = await createSegmenter({ worker: false, device: 'wasm', model: fixtureModel('sam2') });
});
afterAll(async () => {
  await wasm?.close();
  uninstallDawn();
});

/** Largest absolute difference between two tensors of the same shape. */
function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d = Math.max(d, Math.abs(a.data[i]! - b.data[i]!));
  return d;
}

function expectSameAnswer(gpu: SegmentResponse, cpu: SegmentResponse): void {
  expect(Array.from(gpu.scores.data)).toEqual(Array.from(cpu.scores.data));
  expect(maxDiff(gpu.logits, cpu.logits)).toBeLessThan(1e-3);
  expect(maxDiff(gpu.masks as Tensor, cpu.masks as Tensor)).toBeLessThan(1e-3);
}

describe('WebGPU in Node (Dawn)', () => {
  it('runs on a SwiftShader adapter here', () => {
    expect(adapterInfo.vendor).toBe('google');
    expect(adapterInfo.architecture).toBe('swiftshader');
  });

  // SwiftShader compiles each WGSL shader on the CPU: minutes on a busy 2-core machine.
  it.each([
    ["on the calling thread, picked by 'auto'", false, 'auto'],
    ['in the worker thread, with a navigator.gpu of its own', true, 'webgpu'],
  ] as const)('answers as WASM does, with the embedding GPU-resident (%s)', { timeout: 600_000 }, async (_, worker, device) => {
    const gpu = await createSegmenter({ worker, device, model: fixtureModel('sam2') });
    try {
      expect(gpu.backend).toMatchObject({ device: 'webgpu', threads: 1 });
      expect(gpu.backend.fallbackReason).toBeUndefined();
      expectSameAnswer(await gpu.segment(request), await wasm.segment(request));
      const bits = await gpu.segment(request, { maskFormat: 'bits' });
      const cpuBits = await wasm.segment(request, { maskFormat: 'bits' });
      expect(bits.masks.data).toEqual(cpuBits.masks.data);
      const stats = await gpu.stats();
      expect(stats).toMatchObject({ encoderRuns: 1, decoderRuns: 2, embeddingLocation: 'gpu-buffer' });
    } finally {
      await gpu.close();
    }
  });
});
