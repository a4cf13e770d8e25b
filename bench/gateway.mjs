#!/usr/bin/env node
/**
 * `npm run bench:gateway`: the HTTP overhead of `sam2-web serve`. The same prompts on one cached
 * image (decoder only), answered by the library directly and through the server (multipart upload,
 * the runner's checks, the streamed JSON body read in full), sequentially, on the embedded model.
 * Then `/health` latency while the server encodes new images (the engine runs in a worker thread,
 * so the event loop keeps answering): sampled every ~20 ms during BENCH_ENCODES encodes (default 3).
 * Needs `npm run build`. BENCH_N sets the requests per side (default 20).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import sharp from 'sharp';
import { createSegmenter } from '../dist/lib/node.js';
import { startGatewayServer } from '../dist/lib/gateway/server.js';

const N = Number(process.env.BENCH_N ?? 20);
const ENCODES = Number(process.env.BENCH_ENCODES ?? 3);
const W = 320;
const H = 240;
/** A PNG; each `seed` gives a different image (a new encode). */
async function pngOf(seed) {
  const raw = new Uint8Array(W * H * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = 100 + (((i + seed * 7919) * 2654435761) >>> 27) + (Math.floor(i / 3 / W) > H / 2 ? 60 : 0);
  return new Uint8Array(await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
}
const png = await pngOf(0);
const prompt = (i) => ({ point_coords: `[[${100 + (i % 7) * 9},${80 + (i % 5) * 7}]]`, point_labels: '[1]', multimask_output: 'false' });

const round1 = (x) => Math.round(x * 10) / 10;
const median = (sorted) => sorted[Math.floor((sorted.length - 1) / 2)];

/** POSTs `image` and `fields` as the gateway's multipart form; resolves with the body's size. */
async function post(url, image, fields) {
  const form = new FormData();
  form.append('image', new Blob([image], { type: 'image/png' }), 'bench.png');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${url}/segment-anything-2`, { method: 'POST', body: form });
  const bytes = (await res.arrayBuffer()).byteLength;
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return bytes;
}

/** `/health` latencies (ms), sampled every ~20 ms while the server encodes `ENCODES` new images. */
async function healthDuringEncodes(url) {
  const latencies = [];
  const encodeMs = [];
  for (let k = 1; k <= ENCODES; k++) {
    const image = await pngOf(k);
    let done = false;
    const t = performance.now();
    const segment = post(url, image, prompt(k)).finally(() => (done = true));
    while (!done) {
      const t0 = performance.now();
      await (await fetch(`${url}/health`)).arrayBuffer();
      // Only samples answered while the encode was still in flight count.
      if (!done) latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    await segment;
    encodeMs.push(performance.now() - t);
  }
  const s = latencies.sort((a, b) => a - b);
  const p99 = s[Math.min(s.length - 1, Math.floor(0.99 * s.length))];
  return { n: s.length, p50: round1(median(s) ?? NaN), p99: round1(p99 ?? NaN), max: round1(s.at(-1) ?? NaN), under50ms: s.filter((x) => x < 50).length, encodes: ENCODES, encodeP50: round1(median(encodeMs.sort((a, b) => a - b))) };
}

function summarize(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: Math.round(s[Math.floor((s.length - 1) / 2)] * 10) / 10, rps: Math.round((1000 * s.length * 100) / s.reduce((a, b) => a + b, 0)) / 100 };
}

const segmenter = await createSegmenter();
const server = await startGatewayServer(segmenter, { port: 0, log: () => undefined, closeSegmenter: false });
try {
  await segmenter.segment({ image: png, ...prompt(0) }); // encode once; every later request hits the cache
  const direct = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await segmenter.segment({ image: png, ...prompt(i) });
    direct.push(performance.now() - t);
  }
  const http = [];
  let bytes = 0;
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    bytes = await post(server.url, png, prompt(i));
    http.push(performance.now() - t);
  }
  const health = await healthDuringEncodes(server.url);
  const d = summarize(direct);
  const h = summarize(http);
  const result = { image: `${W}x${H} PNG, 1 mask, body ${(bytes / 1e6).toFixed(2)} MB`, direct: d, server: h, p50Ratio: Math.round((h.p50 / d.p50) * 100) / 100, healthDuringEncode: health };
  const machine = `${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${loadavg()[0].toFixed(1)}`;
  const output = { date: new Date().toISOString(), machine, command: `npm run bench:gateway (BENCH_N ${N})`, ...result, stats: await segmenter.stats() };
  console.log(JSON.stringify(output, null, 2));
  writeFileSync(new URL('./gateway-results.json', import.meta.url), `${JSON.stringify(output, null, 2)}\n`);
} finally {
  await server.close();
  await segmenter.close();
}
