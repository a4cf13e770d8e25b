/**
 * `node bench/automatic.mjs`: generateMasks on the 1024×768 bench scene with
 * the embedded model in Node (wasm): total time, decoder runs, and the speed-up of batched decoder
 * runs (points_per_batch, default 64) over one prompt per run. Writes bench/automatic-results.json.
 *
 * Environment: BENCH_POINTS_PER_SIDE (default 32, the reference's), BENCH_REPS (default 1).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { createServer } from 'vite';

const side = Number(process.env.BENCH_POINTS_PER_SIDE ?? 32);
const reps = Number(process.env.BENCH_REPS ?? 1);
// The library and the bench scene are TypeScript: vite loads them, as bench/run.mjs does.
const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { middlewareMode: true, hmr: false, ws: false } });
const { scene } = await server.ssrLoadModule('/bench/cases.ts');
const { createSegmenter } = await server.ssrLoadModule('/lib/node.ts');

const segmenter = await createSegmenter();
try {
  const image = await segmenter.setImage(scene(0));
  const run = async (points_per_batch) => {
    const times = [];
    let runs = 0;
    let masks = 0;
    for (let i = 0; i < reps; i++) {
      const before = (await segmenter.stats()).decoderRuns;
      const t = performance.now();
      const records = await segmenter.generateMasks(image, { points_per_side: side, points_per_batch, output_mode: 'coco_rle' });
      times.push(performance.now() - t);
      runs = (await segmenter.stats()).decoderRuns - before;
      masks = records.length;
    }
    return { points_per_batch, totalMs: Math.round(Math.min(...times)), decoderRuns: runs, masks };
  };
  const batched = await run(64);
  const sequential = await run(1);
  const result = {
    date: new Date().toISOString(),
    model: segmenter.modelId,
    backend: segmenter.backend,
    image: '1024x768 bench scene (bench/cases.ts)',
    points: side * side,
    reps,
    machine: { cpus: cpus()[0]?.model, cores: availableParallelism(), loadavg1: loadavg()[0] },
    batched,
    sequential,
    batchingSpeedup: Math.round((sequential.totalMs / batched.totalMs) * 1000) / 1000,
  };
  writeFileSync(new URL('./automatic-results.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  await segmenter.close();
  await server.close();
}
