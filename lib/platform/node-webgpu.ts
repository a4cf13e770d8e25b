/**
 * WebGPU in Node. Node has no `navigator.gpu` of its own: the caller provides one, e.g. Dawn's
 * binding from the `webgpu` npm package (`globalThis.navigator = { gpu: create([]) }` and
 * `Object.assign(globalThis, globals)`). The engine's `worker_threads` worker is a separate JS
 * realm, so where the caller's thread had a `navigator.gpu` the worker makes its own from the same
 * package ({@link provideWorkerWebGpu}). The checks after that are the browser's (./webgpu.ts).
 */
import { errorText } from '../errors.js';
import type { OrtModule } from './platform.js';
import { webGpuUnavailableReason } from './webgpu.js';

/** The npm package whose `create` and `globals` give Node a WebGPU (Dawn). */
export const NODE_WEBGPU_PACKAGE = 'webgpu';

/** A worker thread's own `navigator.gpu` in the making: resolves to why it failed, if it did. */
let workerGpu: Promise<string | undefined> | undefined;

/** The WebGPU globals that onnxruntime-web's WebGPU build uses besides `navigator.gpu`. */
const WEBGPU_GLOBALS = ['GPUBufferUsage', 'GPUMapMode', 'GPUDevice'] as const;

/** Whether this thread has a `navigator.gpu` (the caller's, or one made by {@link provideWorkerWebGpu}). */
export function hasNavigatorGpu(): boolean {
  return globalThis.navigator?.gpu !== undefined;
}

/** Why WebGPU cannot run the models in this Node thread, or undefined when it can. */
export async function nodeWebGpuUnavailableReason(): Promise<string | undefined> {
  const failure = await workerGpu;
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) {
    return failure ?? `Node has no navigator.gpu: provide one, e.g. from the "${NODE_WEBGPU_PACKAGE}" npm package (README: WebGPU in Node); onnxruntime-web runs wasm.`;
  }
  const missing = WEBGPU_GLOBALS.filter((name) => !(name in globalThis));
  if (missing.length) {
    return `navigator.gpu is set but the WebGPU globals ${missing.join(', ')} are missing (Object.assign(globalThis, globals) from the "${NODE_WEBGPU_PACKAGE}" package).`;
  }
  return webGpuUnavailableReason(gpu);
}

/**
 * In the engine's worker thread: where the caller's thread had a `navigator.gpu` and this one has
 * none, starts making one from the `webgpu` package; {@link nodeWebGpuUnavailableReason} waits for
 * it and reports a failure as the reason WebGPU is unavailable.
 */
export function provideWorkerWebGpu(callerHadGpu: boolean): void {
  if (callerHadGpu && !hasNavigatorGpu()) workerGpu = makeNavigatorGpu();
}

async function makeNavigatorGpu(): Promise<string | undefined> {
  try {
    const dawn = (await import(NODE_WEBGPU_PACKAGE)) as { create(flags: string[]): GPU; globals: Record<string, unknown> };
    Object.assign(globalThis, dawn.globals);
    const navigator = (globalThis.navigator ?? {}) as Navigator & { gpu?: GPU };
    Object.defineProperty(navigator, 'gpu', { value: dawn.create([]), configurable: true });
    if (!globalThis.navigator) Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true });
    return undefined;
  } catch (e) {
    return `the caller's thread has navigator.gpu, but the engine's worker thread could not make one from the "${NODE_WEBGPU_PACKAGE}" package: ${errorText(e)}`;
  }
}

const SHARED_COPY = Symbol.for('sam2-web.writeBufferCopiesShared');

/**
 * onnxruntime-web's WebGPU build for Node. Its WASM memory is a SharedArrayBuffer (the threaded
 * build), and Dawn's Node binding refuses `queue.writeBuffer` from a view of one ("Invalid
 * argument"), so such writes go through a copy; other writes are untouched.
 */
export async function loadWebGpuOrt(): Promise<OrtModule> {
  const queue = (globalThis as { GPUQueue?: { prototype: GPUQueue & { [SHARED_COPY]?: true } } }).GPUQueue?.prototype;
  if (queue && !queue[SHARED_COPY]) {
    const writeBuffer = queue.writeBuffer;
    queue.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: GPUSize64, data: GPUAllowSharedBufferSource, dataOffset?: GPUSize64, size?: GPUSize64) {
      const memory: ArrayBufferLike | undefined = ArrayBuffer.isView(data) ? data.buffer : undefined;
      if (!ArrayBuffer.isView(data) || !(memory instanceof SharedArrayBuffer)) return writeBuffer.call(this, buffer, offset, data, dataOffset, size);
      const unit = 'BYTES_PER_ELEMENT' in data ? (data.BYTES_PER_ELEMENT as number) : 1;
      const start = data.byteOffset + (dataOffset ?? 0) * unit;
      const bytes = size === undefined ? data.byteLength - (dataOffset ?? 0) * unit : size * unit;
      return writeBuffer.call(this, buffer, offset, new Uint8Array(memory, start, bytes).slice());
    };
    queue[SHARED_COPY] = true;
  }
  return import('onnxruntime-web/webgpu');
}
