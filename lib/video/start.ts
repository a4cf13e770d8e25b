/** Starts a tracker core: memory mode for SAM2 video exports, propagation mode for image models. */
import { resolveOptions } from '../engine/resolve-options.js';
import { startEngine } from '../engine/start.js';
import { OrtRuntime } from '../engine/ort-runtime.js';
import { errorOf, errorText } from '../errors.js';
import type { ModelSpec } from '../models/model-spec.js';
import type { BackendInfo, EngineOptions, ExecutionProvider } from '../options.js';
import { wasmThreadsFor, type Platform } from '../platform/platform.js';
import type { TrackerCore } from './core.js';
import { MANIFEST_1A, parseConstants, VIDEO_GRAPHS } from './manifest.js';
import { bankGraph } from './bank-graph.js';
import { gpuOutputs, MemoryCore, type MemorySessions, type RunInspector } from './memory.js';
import { PropagationCore } from './propagation.js';
import { isVideoModelSpec, readVideoModel, SAM2_VIDEO_MODELS, type VideoModelBytes, type VideoModelSpec } from './video-models.js';

export interface VideoInit extends Omit<EngineOptions, 'model'> {
  readonly model?: string | ModelSpec | VideoModelSpec;
  readonly returnLogits?: boolean;
  readonly correctionsAsConditioning?: boolean;
}

export interface StartedCore {
  readonly core: TrackerCore;
  readonly modelId: string;
  readonly backend: BackendInfo;
}

/** The video export `model` names, if it names one. */
function videoModel(model: VideoInit['model']): VideoModelSpec | undefined {
  if (typeof model === 'string') return SAM2_VIDEO_MODELS[model];
  return isVideoModelSpec(model) ? model : undefined;
}

export async function startTrackerCore(platform: Platform, init: VideoInit, inspect?: RunInspector): Promise<StartedCore> {
  const video = videoModel(init.model);
  if (!video) {
    const { engine, backend } = await startEngine(platform, { ...init, model: init.model as string | ModelSpec | undefined });
    return { core: new PropagationCore(engine, init), modelId: engine.modelId, backend };
  }
  // The image options' defaults (threads, device), with the model left out of their resolution.
  const options = resolveOptions({ ...init, model: '' }, platform);
  const bytes = await readVideoModel(video, { readBytes: platform.readBytes, store: platform.modelStore(), onProgress: init.onProgress });
  const threads = options.wasmThreads;
  const start = async (device: ExecutionProvider) => {
    const ort = await platform.loadOrt(device);
    ort.env.wasm.numThreads = wasmThreadsFor(platform, device, threads);
    if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
    return memoryCore(video, bytes, new OrtRuntime(ort, device), platform, init, inspect);
  };
  let reason: string | undefined;
  if (options.device !== 'wasm') {
    reason = await platform.webGpuUnavailableReason();
    if (!reason) {
      try {
        return { core: await start('webgpu'), modelId: video.id, backend: { device: 'webgpu', threads: wasmThreadsFor(platform, 'webgpu', threads) } };
      } catch (e) {
        reason = `the WebGPU sessions failed to start: ${errorText(e)}`;
      }
    }
    if (options.device === 'webgpu') throw errorOf('BACKEND_UNAVAILABLE', `WebGPU cannot start: ${reason}`);
  }
  return { core: await start('wasm'), modelId: video.id, backend: { device: 'wasm', threads, ...(reason ? { fallbackReason: reason } : {}) } };
}

async function memoryCore(video: VideoModelSpec, bytes: VideoModelBytes, runtime: OrtRuntime, platform: Platform, init: VideoInit, inspect?: RunInspector): Promise<MemoryCore> {
  const constants = parseConstants(bytes.constants);
  const sessions: Partial<MemorySessions> = {};
  try {
    // One session at a time (WebGPU allows one creation at a time). On WebGPU the memories and
    // features stay on the GPU, and the bank is assembled there by a graph of its own.
    for (const g of VIDEO_GRAPHS) sessions[g] = await runtime.createSession(bytes.graphs[g], g, gpuOutputs(MANIFEST_1A, g));
    sessions.bank = await runtime.createSession(bankGraph(constants.imageSize / 16), 'memory bank assembly', gpuOutputs(MANIFEST_1A, 'bank'));
    return new MemoryCore(video.id, runtime, sessions as MemorySessions, MANIFEST_1A, constants, platform, { ...init, inspect });
  } catch (e) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw e;
  }
}
