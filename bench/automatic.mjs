/**
 * `node bench/automatic.mjs`: generateMasks on the 1024×768 bench scene with
 * the embedded model in Node (wasm): total time, decoder runs, and the speed-up of batched decoder
 * runs (points_per_batch, default 64) over one prompt per run. Writes bench/automatic-results.json.
 *
 * The engine runs in process (`worker: false`, as bench/node.ts does), so no build is needed.
 * Environment: BENCH_POINTS_PER_SIDE (default 32, the reference's), BENCH_REPS (default 1).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { createServer } from 'vite';

const side = Number(process.env.BENCH_POINTS_PER_SIDE ?? 32);
const reps = Number(process.env.BENCH_REPS ?? 1);
for (const [name, v] of [['BENCH_POINTS_PER_SIDE', side], ['BENCH_REPS', reps]]) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
}
const started = performance.now();
const log = (...a) => console.error(`[automatic ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s]`, ...a);
// The library and the bench scene are TypeScript: vite loads them, as bench/run.mjs does.
const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { middlewareMode: true, hmr: false, ws: false } });
const { scene } = await server.ssrLoadModule('/bench/cases.ts');
const { createSegmenter } = await server.ssrLoadModule('/lib/node.ts');

const segmenter = await createSegmenter({ worker: false });
try {
  const image = await segmenter.setImage(scene(0));
  const run = async (points_per_batch) => {
    const times = [];
    let runs = 0;
    let records = [];
    for (let i = 0; i < reps; i++) {
      const before = (await segmenter.stats()).decoderRuns;
      // A line each quarter of the points: a default run takes minutes.
      let quarter = 0;
      const onProgress = ({ done, total }) => {
        if (total === 0 || Math.floor((4 * done) / total) <= quarter) return;
        quarter = Math.floor((4 * done) / total);
        log(`points_per_batch ${points_per_batch}, rep ${i + 1}/${reps}: ${done}/${total} points`);
      };
      const t = performance.now();
      records = await segmenter.generateMasks(image, { points_per_side: side, points_per_batch, output_mode: 'coco_rle', onProgress });
      times.push(performance.now() - t);
      runs = (await segmenter.stats()).decoderRuns - before;
    }
    return { points_per_batch, totalMs: Math.round(Math.min(...times)), decoderRuns: runs, masks: records.length, records };
  };
  const { records: batchedRecords, ...batched } = await run(64);
  const { records: sequentialRecords, ...sequential } = await run(1);
  // Batching must not change the answer: the same masks, in the same order, either way.
  const key = (records) => JSON.stringify(records.map((r) => [r.segmentation.counts, r.predicted_iou, r.stability_score]));
  const sameMasks = key(batchedRecords) === key(sequentialRecords);
  if (!sameMasks) log('WARNING: batched and one-prompt-per-run masks differ');
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
    sameMasks,
  };
  writeFileSync(new URL('./automatic-results.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  await segmenter.close();
  await server.close();
}
