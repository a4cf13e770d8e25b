#!/usr/bin/env node
/**
 * `npm run bench:gpu-node`: the embedded model on onnxruntime-web's WebGPU execution provider in
 * plain Node, through Dawn (the `webgpu` package) on a Vulkan driver: no Vite, no Chromium, so it runs
 * on a GPU machine that has neither (bench/device-gpu.sh). Encode (median of BENCH_GPU_ENCODES
 * images), prompt p50/p95 at the gateway default (1 point, 3 float32 masks) and with
 * `maskFormat: 'bits'`, the embedding GPU-resident. A CPU adapter (SwiftShader, lavapipe, llvmpipe)
 * is measured but written as `measured: false` with the reason: those are not GPU figures.
 *
 * Writes the `gpu` section of bench/results.json (every other field kept), or only the section to
 * BENCH_GPU_SECTION (a path; the device run). `node bench/gpu-node.mjs --merge FILE` puts a section
 * written that way into bench/results.json. Needs dist/ and dist/bench/cases.js (the npm script builds them).
 * Options (environment): BENCH_N (prompts per case, default 40), BENCH_WARMUP (unmeasured prompts
 * before them, default 5), BENCH_GPU_ENCODES (default 5), BENCH_GPU_MODEL (a ModelSpec as JSON).
 */
import { readFileSync, writeFileSync } from 'node:fs';

const RESULTS = new URL('./results.json', import.meta.url);
const started = Date.now();
const log = (...a) => console.log(`[bench:gpu-node ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...a);

/** Puts `section` into bench/results.json as its `gpu` field, keeping every other field. */
function writeGpuSection(section) {
  const committed = JSON.parse(readFileSync(RESULTS, 'utf8'));
  writeFileSync(RESULTS, `${JSON.stringify({ ...committed, gpu: section }, null, 2)}\n`);
  log('wrote the gpu section of bench/results.json');
}

if (process.argv[2] === '--merge') {
  writeGpuSection(JSON.parse(readFileSync(process.argv[3], 'utf8')));
  process.exit(0);
}

const N = Number(process.env.BENCH_N ?? 40);
const ENCODES = Number(process.env.BENCH_GPU_ENCODES ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const { create, globals } = await import('webgpu');
const { createSegmenter } = await import('../dist/lib/node.js');
const { PROMPTS, scene, summarize } = await import('../dist/bench/cases.js');

// WebGPU for Node, as the README's "WebGPU in Node" shows.
Object.assign(globalThis, globals);
globalThis.navigator ??= {};
Object.defineProperty(globalThis.navigator, 'gpu', { value: create([]), configurable: true });

const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) throw new Error('bench:gpu-node: Dawn found no WebGPU adapter (is a Vulkan driver installed?)');
const { vendor, architecture, device, description } = adapter.info;
const adapterName = [vendor, architecture, device, description].filter(Boolean).join(' / ');
/** CPU implementations of Vulkan: their figures are not GPU figures. */
const software = adapter.info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|software|cpu/i.test(adapterName);
log('adapter:', adapterName, software ? '(a CPU adapter)' : '');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const loadStart = performance.now();
// BENCH_GPU_MODEL: a ModelSpec as JSON (e.g. a fixture pair, to try the script quickly); default the embedded model.
const model = process.env.BENCH_GPU_MODEL ? JSON.parse(process.env.BENCH_GPU_MODEL) : undefined;
const segmenter = await createSegmenter({ device: 'webgpu', worker: false, model });
const loadMs = Math.round(performance.now() - loadStart);
log('model ready in', loadMs, 'ms on', segmenter.backend.device);
try {
  const encodes = [];
  let image;
  for (let i = 0; i < ENCODES; i++) {
    const t = performance.now();
    image = await segmenter.setImage(scene(i));
    encodes.push(performance.now() - t);
    log('encode', i, Math.round(encodes.at(-1)), 'ms');
  }
  const prompts = async (options) => {
    const times = [];
    for (let i = -WARMUP; i < N; i++) {
      const t = performance.now();
      await segmenter.segment({ image, ...PROMPTS['1 point'](i), multimask_output: true }, options);
      if (i >= 0) times.push(performance.now() - t);
      else if (i === -WARMUP) log('first prompt', Math.round(performance.now() - t), 'ms');
    }
    return summarize(times);
  };
  const prompt = await prompts({});
  log('prompt (3 float32 masks)', prompt);
  const promptBits = await prompts({ maskFormat: 'bits' });
  log("prompt (maskFormat 'bits')", promptBits);
  const stats = await segmenter.stats();
  const section = {
    measured: !software,
    ...(software ? { reason: `the WebGPU adapter (${adapterName}) is a CPU implementation of Vulkan: these are not GPU figures.` } : {}),
    runtime: 'node',
    model: segmenter.modelId,
    adapter: adapterName,
    adapterInfo: { vendor, architecture, device, description },
    node: process.version,
    webgpuPackage: JSON.parse(readFileSync(new URL('../node_modules/webgpu/package.json', import.meta.url), 'utf8')).version,
    date: new Date().toISOString(),
    modelReadyMs: loadMs,
    encodeMs: Math.round(median(encodes.slice(1).length ? encodes.slice(1) : encodes)),
    coldEncodeMs: Math.round(encodes[0]),
    prompt,
    promptBits,
    embeddingLocation: stats.embeddingLocation,
  };
  if (section.embeddingLocation !== 'gpu-buffer') throw new Error(`bench:gpu-node: the embedding is in ${section.embeddingLocation}, not on the GPU`);
  console.log(JSON.stringify(section, null, 2));
  if (process.env.BENCH_GPU_SECTION) {
    writeFileSync(process.env.BENCH_GPU_SECTION, `${JSON.stringify(section, null, 2)}\n`);
    log('wrote', process.env.BENCH_GPU_SECTION);
  } else writeGpuSection(section);
} finally {
  await segmenter.close();
}
process.exit(0);
