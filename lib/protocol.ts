/** The wire protocol between the main-thread client and the segmentation worker: types only. */
import type { AutomaticMaskOptions, AutomaticProgress, MaskRecord, ObjectPrompt, SegmentObjectsOptions } from './automatic.js';
import type { ModelLoadProgress } from './models/model-loader.js';
import type { BackendInfo, EngineOptions, EngineStats } from './options.js';
import type { ImageHandle, ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from './types.js';

/**
 * What the worker needs to start: the engine's options, unresolved (the worker resolves them). Model
 * URLs are absolute (the worker's base URL differs). `onProgress` travels as init()'s own argument.
 */
export type WorkerInit = EngineOptions;

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
  /** `onProgress` is a separate argument (a comlink proxy). */
  generateMasks(
    image: ImageInput | ImageHandle,
    options: Omit<AutomaticMaskOptions, 'signal' | 'onProgress'> & { readonly callId: number },
    onProgress?: (progress: AutomaticProgress) => void,
  ): Promise<MaskRecord[]>;
  segmentObjects(image: ImageInput | ImageHandle, prompts: readonly ObjectPrompt[], options: Omit<SegmentObjectsOptions, 'signal'> & { readonly callId: number }): Promise<SegmentAnything2Response[]>;
  abort(callId: number): void;
  releaseImage(id: string): boolean;
  stats(): EngineStats;
  close(): Promise<void>;
}
