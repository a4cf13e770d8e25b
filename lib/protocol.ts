/** The wire protocol between the main-thread client and the segmentation worker: types only. */
import type { EngineStats } from './engine/engine.js';
import type { ModelLoadProgress } from './models/model-loader.js';
import type { ModelSpec } from './models/model-spec.js';
import type { BackendInfo } from './segmenter.js';
import type { ImageHandle, ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from './types.js';

/** What the worker needs to start. Model URLs are absolute (the worker's base URL differs). */
export interface WorkerInit {
  /** A registry id (`""` for the default) or a full spec. */
  readonly model?: string | ModelSpec;
  /** Model file progress. Across the worker boundary it travels as init()'s own argument. */
  readonly onProgress?: (progress: ModelLoadProgress) => void;
  readonly device: 'auto' | 'webgpu' | 'wasm';
  readonly cacheBytes?: number;
  readonly wasmThreads?: number;
  /** Where onnxruntime-web's .wasm/.mjs runtime files are served from (ORT `env.wasm.wasmPaths`). */
  readonly wasmPaths?: string;
}

export interface WorkerReady {
  readonly modelId: string;
  readonly backend: BackendInfo;
}

/** Per-call options that can cross the boundary: an AbortSignal cannot, so calls carry an id to abort. */
export interface WireCallOptions extends Omit<SegmentOptions, 'signal'> {
  readonly callId: number;
}

/** The worker's RPC surface, as the client sees it through comlink. */
export interface WorkerApi {
  /** `onProgress` is a separate argument: comlink proxies top-level arguments only. */
  init(init: Omit<WorkerInit, 'onProgress'>, onProgress?: (progress: ModelLoadProgress) => void): Promise<WorkerReady>;
  segment(request: SegmentAnything2Request, options: WireCallOptions): Promise<SegmentAnything2Response>;
  setImage(image: ImageInput | ImageHandle, options: WireCallOptions): Promise<ImageHandle>;
  abort(callId: number): void;
  releaseImage(id: string): boolean;
  stats(): EngineStats;
  close(): Promise<void>;
}
