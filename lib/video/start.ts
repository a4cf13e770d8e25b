/** Starts a tracker core: memory mode for SAM2 video exports, propagation mode for image models. */
import { wasmThreadCount, webGpuUnavailableReason } from '../engine/backend.js';
import { startEngine } from '../engine/start.js';
import { errorText, OrtRuntime, type ExecutionProvider, type OrtSession } from '../engine/ort-runtime.js';
import { SegmentAnything2Error } from '../errors.js';
import type { ModelSpec } from '../models/model-spec.js';
import type { Platform } from '../platform/platform.js';
import type { WorkerInit } from '../protocol.js';
import type { BackendInfo } from '../segmenter.js';
import type { TrackerCore } from './core.js';
import { MANIFEST_1A, parseConstants, VIDEO_GRAPHS, type VideoGraph } from './manifest.js';
import { MemoryCore, type RunInspector } from './memory.js';
import { PropagationCore } from './propagation.js';
import { isVideoModelSpec, readVideoModel, SAM2_VIDEO_MODELS, type VideoModelBytes, type VideoModelSpec } from './video-models.js';

export interface VideoInit extends Omit<WorkerInit, 'model'> {
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
  const bytes = await readVideoModel(video, { readBytes: platform.readBytes, store: platform.modelStore(), onProgress: init.onProgress });
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true || platform.name === 'node';
  const threads = wasmThreadCount(init.wasmThreads, isolated, platform.cores());
  const start = async (device: ExecutionProvider) => {
    const ort = await platform.loadOrt(device);
    ort.env.wasm.numThreads = threads;
    if (init.wasmPaths) ort.env.wasm.wasmPaths = init.wasmPaths;
    return memoryCore(video, bytes, new OrtRuntime(ort, device), platform, init, inspect);
  };
  let reason: string | undefined;
  if (init.device !== 'wasm') {
    reason = platform.name === 'node' ? 'Node has no WebGPU here; onnxruntime-web runs wasm in Node.' : await webGpuUnavailableReason(globalThis.navigator?.gpu);
    if (!reason) {
      try {
        return { core: await start('webgpu'), modelId: video.id, backend: { device: 'webgpu', threads } };
      } catch (e) {
        reason = `the WebGPU sessions failed to start: ${errorText(e)}`;
      }
    }
    if (init.device === 'webgpu') throw new SegmentAnything2Error({ status: 500, code: 'BACKEND_UNAVAILABLE', detail: { msg: `WebGPU cannot start: ${reason}` } });
  }
  return { core: await start('wasm'), modelId: video.id, backend: { device: 'wasm', threads, ...(reason ? { fallbackReason: reason } : {}) } };
}

async function memoryCore(video: VideoModelSpec, bytes: VideoModelBytes, runtime: OrtRuntime, platform: Platform, init: VideoInit, inspect?: RunInspector): Promise<MemoryCore> {
  const constants = parseConstants(bytes.constants);
  const sessions: Partial<Record<VideoGraph, OrtSession>> = {};
  try {
    // One session at a time (WebGPU allows one creation at a time).
    for (const g of VIDEO_GRAPHS) sessions[g] = await runtime.createSession(bytes.graphs[g], 'decoder');
    return new MemoryCore(video.id, runtime, sessions as Record<VideoGraph, OrtSession>, MANIFEST_1A, constants, platform, { ...init, inspect });
  } catch (e) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw e;
  }
}
