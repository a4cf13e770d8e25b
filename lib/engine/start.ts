/** Starts an engine on the best allowed backend, recording why WebGPU was not used. */
import { errorOf, errorText } from '../errors.js';
import { readModel } from '../models/model-loader.js';
import { identityModel } from '../models/onnx-writer.js';
import type { BackendInfo, EngineOptions, ExecutionProvider, ResolvedEngineOptions } from '../options.js';
import { wasmThreadsFor, type OrtModule, type Platform } from '../platform/platform.js';
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
  ort.env.wasm.numThreads = wasmThreadsFor(platform, device, options.wasmThreads);
  if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
  return ort;
}

/**
 * Starts the ORT build for `device` and its runtime (a throwaway session of a one-node model: WASM
 * compiled and instantiated, its threads spawned, the WebGPU device requested), so that this runs
 * while the model files are still being read. A failure here is left to the real sessions to report.
 */
function startRuntime(platform: Platform, device: ExecutionProvider, options: ResolvedEngineOptions): Promise<OrtModule> {
  return loadOrt(platform, device, options).then(async (ort) => {
    try {
      const session = await ort.InferenceSession.create(identityModel(), { executionProviders: [device] });
      await session.release();
    } catch {
      /* reported by the model's own sessions */
    }
    return ort;
  });
}

export async function startEngine(platform: Platform, init: EngineOptions): Promise<StartedEngine> {
  const options = resolveOptions(init, platform);
  const { model, wasmThreads: threads } = options;
  let reason = options.device === 'wasm' ? undefined : await platform.webGpuUnavailableReason();
  if (options.device === 'webgpu' && reason) throw errorOf('BACKEND_UNAVAILABLE', `WebGPU cannot start: ${reason}`);
  const tryWebGpu = options.device !== 'wasm' && !reason;
  const runtime = startRuntime(platform, tryWebGpu ? 'webgpu' : 'wasm', options);
  runtime.catch(() => undefined); // awaited below, unless reading the model fails first
  const bytes = await readModel(model, { readBytes: platform.readBytes, store: platform.modelStore(), onProgress: options.onProgress });
  // The downloaded files are written to the store while the sessions are created; a failed write fails the start, as before.
  const keptOrClose = (engine: SegmentEngine) =>
    bytes.stored.catch(async (e: unknown) => {
      await engine.close();
      throw e;
    });
  const create = (ort: OrtModule, device: ExecutionProvider) =>
    SegmentEngine.create({ model, bytes, runtime: new OrtRuntime(ort, device), io: platform, cacheBytes: options.cacheBytes, decoderPrecision: options.decoderPrecision });
  if (tryWebGpu) {
    let engine: SegmentEngine | undefined;
    try {
      const ort = await runtime;
      engine = await create(ort, 'webgpu');
      const started = engine;
      const device = await ort.env.webgpu.device;
      void device.lost.then((info) => started.markDeviceLost(info.message || String(info.reason)));
    } catch (e) {
      await engine?.close();
      engine = undefined;
      reason = `the WebGPU sessions failed to start: ${errorText(e)}`;
    }
    // A failed store write is no reason to try WASM: it fails the start.
    if (engine) {
      await keptOrClose(engine);
      return { engine, backend: { device: 'webgpu', threads: wasmThreadsFor(platform, 'webgpu', threads), decoderPrecision: engine.decoderPrecision } };
    }
  }
  if (options.device === 'webgpu') throw errorOf('BACKEND_UNAVAILABLE', `WebGPU cannot start: ${reason}`);
  const engine = await create(tryWebGpu ? await loadOrt(platform, 'wasm', options) : await runtime, 'wasm');
  await keptOrClose(engine);
  return { engine, backend: { device: 'wasm', threads, decoderPrecision: engine.decoderPrecision, ...(reason ? { fallbackReason: reason } : {}) } };
}
