/**
 * The one Chromium launcher, for the browser tests and the benchmark: Debian's Chromium (never a
 * downloaded one) through playwright-core, headless, with the flags docs/browser-testing.md §2 explains.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ChromiumOptions {
  /**
   * WebGPU: `'swiftshader'` pins SwiftShader, the CPU adapter (deterministic tests on a GPU-less
   * box); `'any'` lets Chromium pick (a benchmark uses the real GPU where there is one); `false`
   * leaves WebGPU off, so `requestAdapter()` answers null. @defaultValue false
   */
  readonly webgpu?: 'swiftshader' | 'any' | false;
  /** Further command-line switches. */
  readonly args?: readonly string[];
}

/** Quiet, sandbox-free headless flags: no QUIC, first-run UI, background networking, component updates or sync. */
const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const { webgpu = false, args = [] } = options;
  const gpu = webgpu === false ? [] : ['--enable-unsafe-webgpu', ...(webgpu === 'swiftshader' ? ['--use-webgpu-adapter=swiftshader'] : [])];
  return chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...gpu, ...args] });
}
