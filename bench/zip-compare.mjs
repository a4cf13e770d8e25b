#!/usr/bin/env node
/**
 * lib/models/zip.ts against fflate and @zip.js/zip.js (docs/decisions.md §1): bundle size
 * (minified + gzip), and the time and peak memory to extract both entries of a ~111 MiB archive
 * shaped like a SAM 2.1 samexporter zip (a deflated ~104 MiB float32 "encoder", a stored 20 MiB
 * "decoder"), in Node. The libraries are not dependencies: install them first, without saving:
 *
 *   npm run build && npm i --no-save fflate @zip.js/zip.js && node bench/zip-compare.mjs
 *
 * Each extraction runs in a fresh Node process (so that peak RSS is its own), three times. The
 * archive is written to a temporary folder and removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** `none` reads the archive and extracts nothing: the baseline the others' peaks are compared with. */
const IMPLS = ['none', 'hand', 'fflate', 'zipjs'];
const ENTRIES = ['encoder.onnx', 'decoder.onnx'];
const sha = (b) => createHash('sha256').update(b).digest('hex');

/** One extraction of both entries; prints a JSON line. */
async function extractOnce(impl, path, expected) {
  const file = readFileSync(path);
  const zip = new Uint8Array(file.buffer, file.byteOffset, file.length);
  const t0 = performance.now();
  let out = [];
  if (impl === 'none') {
    out = ENTRIES.map(() => undefined);
  } else if (impl === 'hand') {
    const { extractZipEntry } = await import('../dist/lib/models/zip.js');
    for (const name of ENTRIES) out.push(await extractZipEntry(zip, name));
  } else if (impl === 'fflate') {
    const { unzipSync } = await import('fflate');
    const files = unzipSync(zip, { filter: (f) => ENTRIES.includes(f.name) });
    out = ENTRIES.map((n) => files[n]);
  } else {
    const { ZipReader, Uint8ArrayReader, Uint8ArrayWriter, configure } = await import('@zip.js/zip.js');
    configure({ useWebWorkers: false });
    const reader = new ZipReader(new Uint8ArrayReader(zip));
    const entries = await reader.getEntries();
    for (const name of ENTRIES) out.push(await entries.find((e) => e.filename === name).getData(new Uint8ArrayWriter(), { checkSignature: true }));
    await reader.close();
  }
  const ms = performance.now() - t0;
  // VmHWM, not getrusage's maxRSS, which Linux carries over from the parent across exec.
  const peakRssMiB = Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024);
  const ok = out.map((b, i) => b === undefined || sha(b) === expected[i]);
  console.log(JSON.stringify({ impl, ms: Math.round(ms), archiveMiB: +(zip.length / 2 ** 20).toFixed(1), peakRssMiB, ok }));
}

/** A ~104 MiB float32 tensor of small normal-ish weights (deflates by ~10%, like real ONNX weights). */
function weights(n) {
  const f = new Float32Array(n);
  const r = new Uint32Array(randomBytes(n * 4).buffer);
  for (let i = 0; i < n; i++) f[i] = ((r[i] & 0xffff) / 0xffff + (r[i] >>> 16) / 0xffff - 1) * 0.05;
  return new Uint8Array(f.buffer);
}

async function bundleSizes() {
  const { build } = await import('rolldown');
  const cases = {
    'lib/models/zip.ts (extractZipEntry)': `export { extractZipEntry } from ${JSON.stringify(new URL('../lib/models/zip.ts', import.meta.url).pathname)};`,
    'fflate (unzipSync)': `export { unzipSync } from 'fflate';`,
    'fflate (Unzip + UnzipInflate, streaming)': `export { Unzip, UnzipInflate } from 'fflate';`,
    '@zip.js/zip.js (ZipReader, Uint8ArrayReader/Writer)': `export { ZipReader, Uint8ArrayReader, Uint8ArrayWriter } from '@zip.js/zip.js';`,
    '@zip.js/zip.js/lib/zip-core-reader.js (ZipReader only)': `export { ZipReader } from '@zip.js/zip.js/lib/zip-core-reader.js';`,
  };
  const rows = [];
  try {
    for (const [label, source] of Object.entries(cases)) {
      // Inside the repository, so that bare imports resolve to its node_modules (*.tmp.* is git-ignored).
      const entry = new URL('./zip-entry.tmp.mjs', import.meta.url).pathname;
      writeFileSync(entry, source);
      // The library's error class is shared by every option; it is left out of each bundle.
      const result = await build({ input: entry, cwd: process.cwd(), write: false, external: [/errors\.js$/], platform: 'browser', output: { format: 'esm', minify: true }, logLevel: 'silent' });
      const code = result.output.filter((o) => o.type === 'chunk').map((c) => c.code).join('');
      const assets = result.output.filter((o) => o.type === 'asset').reduce((n, a) => n + a.source.length, 0);
      rows.push({ label, minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, assetBytes: assets });
    }
  } finally {
    rmSync(new URL('./zip-entry.tmp.mjs', import.meta.url), { force: true });
  }
  return rows;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'extract') {
  await extractOnce(args[0], args[1], args.slice(2));
} else {
  for (const row of await bundleSizes()) console.log(JSON.stringify(row));
  const dir = mkdtempSync(join(tmpdir(), 'zip-compare-'));
  try {
    const encoder = weights(26 * 2 ** 20);
    const decoder = randomBytes(20 * 2 ** 20);
    writeFileSync(join(dir, 'encoder.onnx'), encoder);
    writeFileSync(join(dir, 'decoder.onnx'), decoder);
    const zip = join(dir, 'archive.zip');
    execFileSync('zip', ['-q', '-6', zip, 'encoder.onnx'], { cwd: dir });
    execFileSync('zip', ['-q', '-0', zip, 'decoder.onnx'], { cwd: dir });
    const expected = [sha(encoder), sha(decoder)];
    for (let round = 0; round < Number(process.env.ZIP_ROUNDS ?? 3); round++) {
      for (const impl of IMPLS) {
        execFileSync(process.execPath, [new URL(import.meta.url).pathname, 'extract', impl, zip, ...expected], { stdio: 'inherit' });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
