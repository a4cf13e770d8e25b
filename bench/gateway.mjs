#!/usr/bin/env node
/**
 * `npm run bench:gateway`: the HTTP overhead of `sam2-web serve`. The same prompts on one cached
 * image (decoder only), answered by the library directly and through the server (multipart upload,
 * the runner's checks, the streamed JSON body read in full), sequentially, on the embedded model.
 * Needs `npm run build`. BENCH_N sets the requests per side (default 20).
 */
import sharp from 'sharp';
import { createSegmenter } from '../dist/lib/node.js';
import { startGatewayServer } from '../dist/lib/gateway/server.js';

const N = Number(process.env.BENCH_N ?? 20);
const W = 320;
const H = 240;
const raw = new Uint8Array(W * H * 3);
for (let i = 0; i < raw.length; i++) raw[i] = 100 + ((i * 2654435761) >>> 27) + (Math.floor(i / 3 / W) > H / 2 ? 60 : 0);
const png = new Uint8Array(await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
const prompt = (i) => ({ point_coords: `[[${100 + (i % 7) * 9},${80 + (i % 5) * 7}]]`, point_labels: '[1]', multimask_output: 'false' });

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
    const form = new FormData();
    form.append('image', new Blob([png], { type: 'image/png' }), 'bench.png');
    for (const [k, v] of Object.entries(prompt(i))) form.append(k, v);
    const t = performance.now();
    const res = await fetch(`${server.url}/segment-anything-2`, { method: 'POST', body: form });
    bytes = (await res.arrayBuffer()).byteLength;
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    http.push(performance.now() - t);
  }
  const d = summarize(direct);
  const h = summarize(http);
  const result = { image: `${W}x${H} PNG, 1 mask, body ${(bytes / 1e6).toFixed(2)} MB`, direct: d, server: h, p50Ratio: Math.round((h.p50 / d.p50) * 100) / 100 };
  console.log(JSON.stringify({ ...result, stats: await segmenter.stats() }, null, 2));
} finally {
  await server.close();
  await segmenter.close();
}
