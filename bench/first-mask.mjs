/**
 * `firstMaskMs`: a new user's first mask in the built demo, from navigation to the mask on screen.
 * The production build is served by `vite preview`; each visit is a fresh browser context (empty
 * HTTP cache and Cache Storage: the model and onnxruntime-web's WASM are downloaded), the bench
 * clicks the sample scene's disk the moment the page says it is encoded, as a user who clicked at
 * once would. The demo's performance marks (demo/main.ts) give the breakdown. A second visit in the
 * same context (`returning`) shows a returning user: model from Cache Storage, WASM from the HTTP cache.
 *
 * Run alone: `node bench/first-mask.mjs` (BENCH_FIRST_MASK_RUNS, default 3).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { preview } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const status = (re) => [(source) => new RegExp(source).test(document.getElementById('status').textContent), re.source, { timeout: 180_000 }];

/** One visit of `page` to the demo: the marks, relative to navigation start, in ms. */
async function visit(page, origin) {
  await page.goto(`${origin}/demo/`);
  await page.waitForFunction(...status(/^Encoded|^Error|^Could not/));
  const box = await page.locator('#image').boundingBox();
  await page.mouse.click(box.x + (170 * box.width) / 480, box.y + (160 * box.height) / 360);
  await page.waitForFunction(...status(/^Mask in|^Error/));
  return page.evaluate(() => {
    const at = (name) => performance.getEntriesByName(`sam2-demo:${name}`)[0]?.startTime;
    const nav = performance.getEntriesByType('navigation')[0];
    const r = (v) => (v === undefined ? undefined : Math.round(v));
    const marks = {
      domContentLoaded: r(nav?.domContentLoadedEventEnd),
      encoderFetched: r(at('fetched-encoder')),
      decoderFetched: r(at('fetched-decoder')),
      modelReady: r(at('model-ready')),
      encoded: r(at('encoded')),
      firstMask: r(at('first-mask')),
    };
    return { marks, status: document.getElementById('status').textContent, bar: document.getElementById('bar')?.textContent };
  });
}

/**
 * Builds the demo, serves it and measures `runs` first visits (and one returning visit each).
 * `launchChromium` is the tests' launcher (test/browser/chromium.ts).
 */
export async function measureFirstMask({ launchChromium, runs = 3, log = console.log }) {
  // A production build in its own process (NODE_ENV must not be 'test').
  const { NODE_ENV: _, ...env } = process.env;
  await promisify(execFile)(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'], { cwd: root, env });
  const server = await preview({ root, configFile: `${root}vite.config.ts`, logLevel: 'error', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const origin = server.resolvedUrls.local[0].replace(/\/$/, '');
  const browser = await launchChromium();
  const first = [];
  const returning = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cold = await visit(page, origin);
      first.push(cold.marks);
      log(`first visit ${i + 1}/${runs}:`, cold.marks, cold.bar);
      const warm = await visit(page, origin);
      returning.push(warm.marks);
      log(`returning visit ${i + 1}/${runs}:`, warm.marks);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const median = (rows, key) => {
    const xs = rows.map((m) => m[key]).filter((v) => v !== undefined).sort((a, b) => a - b);
    return xs.length ? xs[Math.floor((xs.length - 1) / 2)] : undefined;
  };
  const summary = (rows) => Object.fromEntries(Object.keys(rows[0]).map((k) => [k, median(rows, k)]));
  const f = summary(first);
  return {
    firstMaskMs: f.firstMask,
    breakdown: {
      pageMs: f.domContentLoaded,
      modelReadyMs: f.modelReady,
      encodeMs: f.encoded - f.modelReady,
      firstDecodeMs: f.firstMask - f.encoded,
    },
    firstVisit: first,
    returningVisit: returning,
    returningFirstMaskMs: median(returning, 'firstMask'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { createServer } = await import('vite');
  const server = await createServer({ root, configFile: `${root}vite.config.ts`, logLevel: 'error', server: { middlewareMode: true, hmr: false } });
  const { launchChromium } = await server.ssrLoadModule('/test/browser/chromium.ts');
  const result = await measureFirstMask({ launchChromium, runs: Number(process.env.BENCH_FIRST_MASK_RUNS ?? 3) });
  await server.close();
  console.log(JSON.stringify(result, null, 2));
}
