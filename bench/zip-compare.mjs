#!/usr/bin/env node
/**
 * lib/models/zip.ts against fflate and @zip.js/zip.js (docs/decisions.md §1): bundle size
 * (minified + gzip), and the time and peak memory to extract both entries of a ~111 MiB archive
 * shaped like a SAM 2.1 samexporter zip (a deflated ~104 MiB float32 "encoder", a stored 20 MiB
 * "decoder"), in Node and in headless Chromium. The libraries are not dependencies: install them
 * first, without saving:
 *
 *   npm run build && npm i --no-save fflate @zip.js/zip.js && node bench/zip-compare.mjs
 *
 * Each extraction runs in a fresh Node process, or a fresh browser, so that the peak resident
 * memory (VmHWM) is its own; `none` only reads the archive, as the baseline. ZIP_ROUNDS rounds
 * (default 3). The archive is written beside this script as a git-ignored *.tmp.* file (the dev
 * server serves it to the browser) and removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const cpu0 = process.cpuUsage();
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
  const { user, system } = process.cpuUsage(cpu0);
  // VmHWM, not getrusage's maxRSS, which Linux carries over from the parent across exec.
  const peakRssMiB = vmHwmMiB('self');
  const ok = out.map((b, i) => b === undefined || sha(b) === expected[i]);
  console.log(JSON.stringify({ where: 'node', impl, ms: Math.round(ms), cpuMs: Math.round((user + system) / 1000), archiveMiB: +(zip.length / 2 ** 20).toFixed(1), peakRssMiB, ok }));
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

/** User + system CPU time of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
const TICKS_PER_S = 100;
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const vmHwmMiB = (pid) => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);

/** The same extraction in a page of the Vite dev server, each run in a fresh Chromium. */
async function browserRuns(archiveUrl, expected, rounds) {
  const { createServer } = await import('vite');
  const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false } });
  await server.listen();
  const origin = server.resolvedUrls.local[0].replace(/\/$/, '');
  const { launchChromium } = await server.ssrLoadModule('/test/browser/chromium.ts');
  try {
    for (let round = 0; round < rounds; round++) {
      for (const impl of IMPLS) {
        const browser = await launchChromium();
        try {
          const page = await browser.newPage();
          await page.goto(`${origin}/bench/page.html`, { waitUntil: 'domcontentloaded' });
          await page.evaluate(
            async ([impl, url]) => {
              const modules = {
                hand: () => import('/lib/models/zip.ts'),
                fflate: () => import('/node_modules/fflate/esm/browser.js'),
                zipjs: () => import('/node_modules/@zip.js/zip.js/index.js'),
              };
              window.zipLib = impl === 'none' ? undefined : await modules[impl]();
              window.zipBytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
            },
            [impl, archiveUrl],
          );
          const cdp = await browser.newBrowserCDPSession();
          const renderers = async () => (await cdp.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
          const cpuBefore = (await renderers()).reduce((n, pid) => n + cpuTicks(pid), 0);
          const result = await page.evaluate(
            async ([impl, names]) => {
              const lib = window.zipLib;
              const zip = window.zipBytes;
              const t0 = performance.now();
              let out = [];
              if (impl === 'hand') {
                for (const name of names) out.push(await lib.extractZipEntry(zip, name));
              } else if (impl === 'fflate') {
                const files = lib.unzipSync(zip, { filter: (f) => names.includes(f.name) });
                out = names.map((n) => files[n]);
              } else if (impl === 'zipjs') {
                lib.configure({ useWebWorkers: false });
                const reader = new lib.ZipReader(new lib.Uint8ArrayReader(zip));
                const entries = await reader.getEntries();
                for (const name of names) out.push(await entries.find((e) => e.filename === name).getData(new lib.Uint8ArrayWriter(), { checkSignature: true }));
                await reader.close();
              }
              const ms = performance.now() - t0;
              window.zipOut = out;
              return { ms: Math.round(ms), archiveMiB: +(zip.length / 2 ** 20).toFixed(1) };
            },
            [impl, ENTRIES],
          );
          const pids = await renderers();
          const cpuMs = Math.round(((pids.reduce((n, pid) => n + cpuTicks(pid), 0) - cpuBefore) * 1000) / TICKS_PER_S);
          result.digests = await page.evaluate(() => {
            const hex = async (b) => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b)), (x) => x.toString(16).padStart(2, '0')).join('');
            return Promise.all(window.zipOut.map(hex));
          });
          const peakRssMiB = Math.max(...pids.map(vmHwmMiB));
          const ok = result.digests.length === 0 || result.digests.every((d, i) => d === expected[i]);
          console.log(JSON.stringify({ where: 'chromium', impl, ms: result.ms, cpuMs, archiveMiB: result.archiveMiB, peakRssMiB, ok }));
        } finally {
          await browser.close();
        }
      }
    }
  } finally {
    await server.close();
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'extract') {
  await extractOnce(args[0], args[1], args.slice(2));
} else {
  for (const row of await bundleSizes()) console.log(JSON.stringify(row));
  const dir = mkdtempSync(join(tmpdir(), 'zip-compare-'));
  const served = new URL('./zip-archive.tmp.zip', import.meta.url);
  const rounds = Number(process.env.ZIP_ROUNDS ?? 3);
  try {
    const encoder = weights(26 * 2 ** 20);
    const decoder = randomBytes(20 * 2 ** 20);
    writeFileSync(join(dir, 'encoder.onnx'), encoder);
    writeFileSync(join(dir, 'decoder.onnx'), decoder);
    const zip = join(dir, 'archive.zip');
    execFileSync('zip', ['-q', '-6', zip, 'encoder.onnx'], { cwd: dir });
    execFileSync('zip', ['-q', '-0', zip, 'decoder.onnx'], { cwd: dir });
    const expected = [sha(encoder), sha(decoder)];
    for (let round = 0; round < rounds; round++) {
      for (const impl of IMPLS) {
        execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'extract', impl, zip, ...expected], { stdio: 'inherit' });
      }
    }
    writeFileSync(served, readFileSync(zip));
    await browserRuns('/bench/zip-archive.tmp.zip', expected, rounds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(served, { force: true });
  }
}
