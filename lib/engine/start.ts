/** Starts an engine on the best allowed backend, recording why WebGPU was not used. */
import { SegmentAnything2Error } from '../errors.js';
import { readModel } from '../models/model-loader.js';
import { resolveModelId } from '../models/registry.js';
import type { Platform } from '../platform/platform.js';
import type { WorkerInit } from '../protocol.js';
import type { BackendInfo } from '../segmenter.js';
import { wasmThreadCount, webGpuUnavailableReason } from './backend.js';
import { SegmentEngine } from './engine.js';
import { errorText, OrtRuntime, type ExecutionProvider, type OrtModule } from './ort-runtime.js';

export interface StartedEngine {
  readonly engine: SegmentEngine;
  readonly backend: BackendInfo;
}

function unavailable(reason: string): SegmentAnything2Error {
  return new SegmentAnything2Error({ status: 500, code: 'BACKEND_UNAVAILABLE', detail: { msg: `WebGPU cannot start: ${reason}` } });
}

/** The ORT build for `device`, with its WASM threads and file location set (effective before its first session only). */
async function loadOrt(platform: Platform, device: ExecutionProvider, init: WorkerInit, threads: number): Promise<OrtModule> {
  const ort = await platform.loadOrt(device);
  ort.env.wasm.numThreads = threads;
  if (init.wasmPaths) ort.env.wasm.wasmPaths = init.wasmPaths;
  return ort;
}

export async function startEngine(platform: Platform, init: WorkerInit): Promise<StartedEngine> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true || platform.name === 'node';
  const threads = wasmThreadCount(init.wasmThreads, isolated, platform.cores());
  const embedded = platform.embeddedModel();
  const model = typeof init.model === 'string' ? resolveModelId(init.model, embedded) : (init.model ?? embedded);
  const bytes = await readModel(model, { readBytes: platform.readBytes, store: platform.modelStore(), onProgress: init.onProgress });
  let reason: string | undefined;
  if (init.device !== 'wasm') {
    reason = platform.name === 'node' ? 'Node has no WebGPU here; onnxruntime-web runs wasm in Node.' : await webGpuUnavailableReason(globalThis.navigator?.gpu);
    if (!reason) {
      let engine: SegmentEngine | undefined;
      try {
        const ort = await loadOrt(platform, 'webgpu', init, threads);
        engine = await SegmentEngine.create(model, bytes, new OrtRuntime(ort, 'webgpu'), platform, init.cacheBytes);
        const started = engine;
        const device = await ort.env.webgpu.device;
        void device.lost.then((info) => started.markDeviceLost(info.message || String(info.reason)));
        return { engine, backend: { device: 'webgpu', threads } };
      } catch (e) {
        await engine?.close();
        reason = `the WebGPU sessions failed to start: ${errorText(e)}`;
      }
    }
    if (init.device === 'webgpu') throw unavailable(reason);
  }
  const ort = await loadOrt(platform, 'wasm', init, threads);
  const engine = await SegmentEngine.create(model, bytes, new OrtRuntime(ort, 'wasm'), platform, init.cacheBytes);
  return { engine, backend: { device: 'wasm', threads, ...(reason ? { fallbackReason: reason } : {}) } };
}
