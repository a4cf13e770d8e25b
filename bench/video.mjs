#!/usr/bin/env node
/**
 * `npm run bench:video`: per-frame tracking time in Node (WASM), memory mode on the fixtures and
 * propagation mode on the embedded model, 1 and 3 objects. Writes bench/video-results.md.
 * Options (environment): BENCH_FRAMES (tracked frames per case, default 5).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createServer } from 'vite';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 5);
const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { middlewareMode: true, hmr: false } });
try {
  const { runVideoBench } = await server.ssrLoadModule('/bench/video-cases.ts');
  const rows = await runVideoBench(FRAMES);
  const lines = [
    `Node ${process.version}, onnxruntime-web WASM, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${FRAMES} tracked frames per case, ${new Date().toISOString()}.`,
    '',
    '| mode | model | objects | median ms/frame | mean ms/frame |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.mode} | ${r.model} | ${r.objects} | ${r.medianMs} | ${r.meanMs} |`),
  ];
  console.log(lines.join('\n'));
  writeFileSync('bench/video-results.md', `${lines.join('\n')}\n`);
} finally {
  await server.close();
}
