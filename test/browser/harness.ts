/**
 * Drives Debian's Chromium (headless, WebGPU on SwiftShader) against the project served by a Vite
 * dev server with COOP/COEP headers (docs/browser-testing.md §2, §4).
 */
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './chromium.js';

/** The fixture models (test/fixtures/models.ts, written by the global setup) as the dev server serves them. */
export const SERVED_FIXTURES = {
  sam2: { id: 'fixture/sam2', encoder: '/test/fixtures/models/sam2-encoder.onnx', decoder: '/test/fixtures/models/sam2-decoder.onnx' },
  sam1: { id: 'fixture/sam1', encoder: '/test/fixtures/models/sam1-encoder.onnx', decoder: '/test/fixtures/models/sam1-decoder.onnx' },
} as const;

export interface Harness {
  readonly origin: string;
  readonly browser: Browser;
  /**
   * A fresh page on the test page, with the library loaded as `window.sam`. `webgpu: false` opens
   * it in a second browser started without WebGPU.
   */
  page(options?: { webgpu?: boolean }): Promise<Page>;
  /** A new page in the browser with (default) or without WebGPU, not yet navigated. */
  blankPage(options?: { webgpu?: boolean; acceptDownloads?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const server: ViteDevServer = await createServer({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '');
  const launch = (webgpu: boolean) =>
    launchChromium({
      webgpu: webgpu && 'swiftshader',
      args: [
        // Lets a timing test start from a collected heap (window.gc()).
        '--js-flags=--expose-gc',
        // performance.measureUserAgentSpecificMemory() answers at once, not at the next GC.
        '--enable-blink-features=ForceEagerMeasureMemory',
      ],
    });
  const browser = await launch(true);
  let noGpu: Browser | undefined;
  const blankPage = async (options: { webgpu?: boolean; acceptDownloads?: boolean } = {}) => {
    const b = options.webgpu === false ? (noGpu ??= await launch(false)) : browser;
    const page = await b.newPage({ acceptDownloads: options.acceptDownloads ?? false });
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    return page;
  };
  return {
    origin,
    browser,
    blankPage,
    async page(options = {}) {
      const page = await blankPage(options);
      await page.goto(`${origin}/test/browser/page.html`);
      await page.waitForFunction(() => 'sam' in window, null, { timeout: 60_000 });
      return page;
    },
    async close() {
      await Promise.all([browser.close(), noGpu?.close()]);
      await server.close();
    },
  };
}

/**
 * Starts a harness and its test page before the calling file's tests and closes it after them. Read
 * `harness` and `page` inside tests (they are set once `beforeAll` has run).
 */
export function useHarness(): { readonly harness: Harness; readonly page: Page } {
  const state = {} as { harness: Harness; page: Page };
  beforeAll(async () => {
    state.harness = await startHarness();
    state.page = await state.harness.page();
  });
  afterAll(() => state.harness?.close());
  return state;
}
