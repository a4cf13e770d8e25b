/** Starts an engine on the best allowed backend, recording why WebGPU was not used. */
import { errorOf, errorText } from '../errors.js';
import { readModel } from '../models/model-loader.js';
import type { BackendInfo, EngineOptions, ExecutionProvider, ResolvedEngineOptions } from '../options.js';
import type { OrtModule, Platform } from '../platform/platform.js';
import { SegmentEngine } from './engine.js';
import { OrtRuntime } from './ort-runtime.js';
import { resolveOptions } from './resolve-options.js';

export interface StartedEngine {
  readonly engine: SegmentEngine;
  readonly backend: BackendInfo;
}

/** The ORT build for `device`, with its WASM threads and file location set (effective before its first session only). */
async function loadOrt(platform: Platform, device: ExecutionProvider, options: ResolvedEngineOptions): Promise<OrtModule> {
  const ort = await platform.loadOrt(device);
  ort.env.wasm.numThreads = options.wasmThreads;
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  return ort;
}

export async function startEngine(platform: Platform, init: EngineOptions): Promise<StartedEngine> {
  const options = resolveOptions(init, platform);
  const { model, wasmThreads: threads } = options;
  const bytes = await readModel(model, { readBytes: platform.readBytes, store: platform.modelStore(), onProgress: options.onProgress });
  const create = (ort: OrtModule, device: ExecutionProvider) =>
    SegmentEngine.create({ model, bytes, runtime: new OrtRuntime(ort, device), io: platform, cacheBytes: options.cacheBytes });
  let reason: string | undefined;
  if (options.device !== 'wasm') {
    reason = await platform.webGpuUnavailableReason();
    if (!reason) {
      let engine: SegmentEngine | undefined;
      try {
        const ort = await loadOrt(platform, 'webgpu', options);
        engine = await create(ort, 'webgpu');
        const started = engine;
        const device = await ort.env.webgpu.device;
        void device.lost.then((info) => started.markDeviceLost(info.message || String(info.reason)));
        return { engine, backend: { device: 'webgpu', threads } };
      } catch (e) {
        await engine?.close();
        reason = `the WebGPU sessions failed to start: ${errorText(e)}`;
      }
    }
    if (options.device === 'webgpu') throw errorOf('BACKEND_UNAVAILABLE', `WebGPU cannot start: ${reason}`);
  }
  const engine = await create(await loadOrt(platform, 'wasm', options), 'wasm');
  return { engine, backend: { device: 'wasm', threads, ...(reason ? { fallbackReason: reason } : {}) } };
}
