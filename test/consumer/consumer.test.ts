/**
 * The package as a stranger gets it: `npm pack`, the tarball installed in a fresh app (its own
 * package.json, Vite at this repository's version), then in Chromium the app's `vite` dev server and
 * its `vite build` + `vite preview` each segment a drawn disk with `createSegmenter()` (the default
 * worker) and `createSegmenter({ worker: false })`. The README's Node example runs from the install.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectDiskMaskPng } from '../node-example.js';
import { launchChromium } from '../browser/chromium.js';

const run = promisify(execFile);
const REPO = resolve('.');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// Without NODE_ENV=test (set by Vitest): the app's build must be a production build.
const { NODE_ENV: _, ...env } = process.env;

let dir = '';
let app = '';
let tarballFiles: string[] = [];
let browser: Browser;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sam2-web-consumer-'));
  // dist/ is built by `npm test` before the tests; --ignore-scripts skips prepack's second build.
  const { stdout } = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO, env });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  tarballFiles = packed!.files.map((f) => f.path);
  app = join(dir, 'app');
  await cp(join(REPO, 'test/consumer/app'), app, { recursive: true });
  await cp(join(REPO, 'demo/node-example.mjs'), join(app, 'node-example.mjs'));
  const vite = JSON.parse(await readFile(join(REPO, 'node_modules/vite/package.json'), 'utf8')).version as string;
  // Packages come from npm's cache when they are there (CI's `npm ci` has just filled it).
  await run(NPM, ['install', join(dir, packed!.filename), `vite@${vite}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, env });
  // No WebGPU: the embedded model runs on WASM, in seconds (SwiftShader would take minutes).
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  for (const s of servers) s.kill();
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts the app's `vite` (dev, or `preview`) on a free port; resolves to its origin. */
function serve(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), ...args, '--host', '127.0.0.1', '--port', '0', '--strictPort=false'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  return new Promise((res, reject) => {
    let out = '';
    const read = (chunk: Buffer) => {
      out += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) res(`http://127.0.0.1:${m[1]}`);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`vite ${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

interface Outcome {
  readyMs: number;
  backend: { device: string; threads: number; fallbackReason?: string };
  dims: number[];
  iou: number;
  crossOriginIsolated: boolean;
}

/** The app's segmentation of its drawn disk, in a fresh browser context (no stored models). */
async function segmentIn(origin: string, worker: boolean): Promise<Outcome> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const notFound: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 404) notFound.push(r.url());
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'consumer' in window, null, { timeout: 120_000 });
    const outcome = await page.evaluate((w) => (window as unknown as { consumer: { run(w: boolean): Promise<Outcome> } }).consumer.run(w), worker);
    expect(errors).toEqual([]);
    expect(notFound).toEqual([]);
    return outcome;
  } finally {
    await context.close();
  }
}

function expectDisk(o: Outcome): void {
  expect(o.dims).toEqual([1, 150, 200]);
  expect(o.iou).toBeGreaterThan(0.9);
  expect(o.backend.device).toBe('wasm');
  // The README's COOP/COEP headers give onnxruntime-web its threads.
  expect(o.crossOriginIsolated).toBe(true);
  expect(o.backend.threads).toBeGreaterThan(1);
}

describe('the packed tarball', () => {
  it('holds every file its code loads at run time, a LICENSE, and no sources or tests', () => {
    expect(tarballFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/node.js', 'dist/worker/segmenter.worker.js']));
    expect(tarballFiles.filter((f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(f))).toEqual([]);
  });

  it('resolves every relative import and import.meta.url reference inside itself', async () => {
    const js = tarballFiles.filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const file of js) {
      const text = await readFile(join(REPO, file), 'utf8');
      const specifiers = [...text.matchAll(/(?:from\s+|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g), ...text.matchAll(/new URL\(['"](\.{1,2}\/[^'"]+\.js)['"], import\.meta\.url\)/g)].map((m) => m[1]!);
      for (const s of specifiers) {
        const target = posix.normalize(posix.join(posix.dirname(file), s));
        if (!tarballFiles.includes(target)) missing.push(`${file} -> ${s}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("type-checks the app against the package's types", async () => {
    await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(app, 'tsconfig.json')], { cwd: app });
  }, 300_000);
});

describe('a fresh Vite app using the tarball, in Chromium', () => {
  it('segments a drawn disk on the `vite` dev server, in the default worker and with worker: false', async () => {
    const origin = await serve([]);
    const inWorker = await segmentIn(origin, true);
    const onPage = await segmentIn(origin, false);
    console.log(`[consumer] vite dev: ready in ${inWorker.readyMs} ms (worker), ${onPage.readyMs} ms (worker: false)`);
    expectDisk(inWorker);
    expectDisk(onPage);
  }, 600_000);

  it('segments a drawn disk after `vite build`, served by `vite preview`, both ways', async () => {
    await run(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: app, env });
    const origin = await serve(['preview']);
    const inWorker = await segmentIn(origin, true);
    const onPage = await segmentIn(origin, false);
    console.log(`[consumer] vite build + preview: ready in ${inWorker.readyMs} ms (worker), ${onPage.readyMs} ms (worker: false)`);
    expectDisk(inWorker);
    expectDisk(onPage);
  }, 600_000);
});

describe('a Node app using the tarball', () => {
  it("runs the README's Node example and writes a black-and-white mask PNG", async () => {
    const svg = '<svg width="160" height="120"><rect width="160" height="120" fill="#222"/><circle cx="80" cy="60" r="30" fill="red"/></svg>';
    await sharp(Buffer.from(svg)).png().toFile(join(app, 'disk.png'));
    const { stdout } = await run(process.execPath, ['node-example.mjs', 'disk.png', '80', '60', 'mask.png'], { cwd: app, env });
    expect(stdout).toMatch(/^scores \[ [-\d.e]+, [-\d.e]+, [-\d.e]+ \]\nwrote mask\.png \(160×120\)\n$/);
    // Black background, white disk, one opaque channel.
    await expectDiskMaskPng(join(app, 'mask.png'));
  }, 300_000);
});
