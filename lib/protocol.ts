/** The wire protocol between the main-thread client and the segmentation worker: types only. */
import type { EngineStats } from './engine/engine.js';
import type { ModelSpec } from './models/model-spec.js';
import type { BackendInfo } from './segmenter.js';
import type { ImageHandle, ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from './types.js';

/** What the worker needs to start. Model URLs are absolute (the worker's base URL differs). */
export interface WorkerInit {
  readonly model?: ModelSpec;
  readonly device: 'auto' | 'webgpu' | 'wasm';
  readonly cacheBytes?: number;
  readonly wasmThreads?: number;
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
  init(init: WorkerInit): Promise<WorkerReady>;
  segment(request: SegmentAnything2Request, options: WireCallOptions): Promise<SegmentAnything2Response>;
  setImage(image: ImageInput | ImageHandle, options: WireCallOptions): Promise<ImageHandle>;
  abort(callId: number): void;
  releaseImage(id: string): boolean;
  stats(): EngineStats;
  close(): Promise<void>;
}
