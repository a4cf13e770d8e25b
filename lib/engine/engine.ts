/**
 * The in-process engine: the whole request → response path on the calling thread. The worker of
 * `worker/` hosts this same class. `segment()` reads top to bottom, in the runner's order of
 * checks: parse the request (rows 1–5) → resolve the image: snapshot, key, pixels (row 6) → check
 * the prompts (row 7) → embed (cache or encode) → decode → postprocess.
 */
import { closedError, deviceLostError, errorOf, throwIfAborted } from '../errors.js';
import { decoderFeeds, PROMPT_INPUTS, type Contract } from '../models/contracts.js';
import type { ModelBytes } from '../models/model-loader.js';
import type { ModelSpec } from '../models/model-spec.js';
import type { DecoderPrecision, EngineStats } from '../options.js';
import { postprocess, type DecoderOutput } from '../pipeline/postprocess.js';
import { preprocess, LOW_RES, MODEL_SIZE, type Geometry, type PixelImage } from '../pipeline/preprocess.js';
import { checkPrompts, type Prompts } from '../pipeline/prompts.js';
import { parseRequest } from '../pipeline/request.js';
import type { ImageHandle, ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from '../types.js';
import { EmbeddingCache, type Lease } from './embedding-cache.js';
import { noImageError, resolveImage, type ResolvedImage } from './image-source.js';
import { checkDecoderMemory } from './memory-guard.js';
import { readFloatOutput, type OrtRuntime, type OrtTensor } from './ort-runtime.js';
import type { PageFaulter } from '../platform/page-faulter.js';
import { plainMemory, PrefaultedMemory, type ResponseMemory } from './response-memory.js';
import { createModelSessions, type ModelSessions } from './sessions.js';

/** An encoded image: the encoder outputs by name, and where the image sits in model space. */
export interface Embedding {
  readonly tensors: Readonly<Record<string, OrtTensor>>;
  readonly geometry: Geometry;
  /** Bytes held by the tensors. */
  readonly bytes: number;
  /** Frees the tensors (GPU buffers on WebGPU). */
  dispose(): void;
}

/** What the engine needs from its platform. */
export interface EngineIO {
  decodeImage(image: ImageInput): Promise<PixelImage>;
  /** A helper thread for response buffers (plain allocation without one). */
  pageFaulter?(): PageFaulter | undefined;
}

/** What an engine is made from. */
export interface EngineInit {
  readonly model: ModelSpec;
  readonly bytes: ModelBytes;
  readonly runtime: OrtRuntime;
  readonly io: EngineIO;
  /** The embedding cache's byte budget. */
  readonly cacheBytes: number;
  /** `'int8'` quantizes the decoder's MatMul weights on WASM (lib/models/onnx-quantize.ts). */
  readonly decoderPrecision?: DecoderPrecision;
}

export class SegmentEngine {
  private closed = false;
  /** Aborts queued runs when the engine closes. */
  private readonly closing = new AbortController();
  /** Why the GPU device was lost, once it has been. */
  private lost?: string;
  private readonly cache: EmbeddingCache<Embedding>;
  private readonly counts = { encoderRuns: 0, decoderRuns: 0, cacheHits: 0, cacheMisses: 0 };
  private embeddingLocation?: string;

  readonly modelId: string;
  readonly contract: Contract;
  /** What the decoder session runs: int8 only where asked for and on WASM. */
  readonly decoderPrecision: DecoderPrecision;
  private readonly runtime: OrtRuntime;
  private readonly sessions: ModelSessions;
  private readonly io: EngineIO;
  /** The memory responses are written into. */
  readonly memory: ResponseMemory;

  private constructor(init: EngineInit, sessions: ModelSessions) {
    this.modelId = init.model.id;
    this.contract = sessions.contract;
    this.decoderPrecision = sessions.decoderPrecision;
    this.runtime = init.runtime;
    this.sessions = sessions;
    this.io = init.io;
    this.cache = new EmbeddingCache(init.cacheBytes);
    const faulter = init.io.pageFaulter?.();
    this.memory = faulter ? new PrefaultedMemory(faulter) : plainMemory();
  }

  /** Creates both sessions on `init.runtime` and detects their contract. */
  static async create(init: EngineInit): Promise<SegmentEngine> {
    return new SegmentEngine(init, await createModelSessions(init.model, init.bytes, init.runtime, init.decoderPrecision));
  }

  /**
   * Runs the image encoder.
   * in: `encoderInput` float32[1,3,1024,1024] → out: the contract's embedding tensors.
   */
  async encode(image: PixelImage, signal?: AbortSignal): Promise<Embedding> {
    this.assertOpen();
    const { tensor, geometry } = preprocess(image, this.contract.family);
    const input = this.runtime.tensor(tensor, [1, 3, MODEL_SIZE, MODEL_SIZE]);
    const outputs = this.contract.embeddings.map(([, encoderOutput]) => encoderOutput);
    this.counts.encoderRuns++;
    const tensors = await this.guarded((s) => this.runtime.run(this.sessions.encoder, { [this.contract.encoderInput]: input }, outputs, s), signal);
    const bytes = Object.values(tensors).reduce((sum, t) => sum + t.size * 4, 0);
    this.embeddingLocation = tensors[this.contract.embeddings[0]![1]]?.location;
    return { tensors, geometry, bytes, dispose: () => Object.values(tensors).forEach((t) => t.dispose()) };
  }

  /**
   * Runs the prompt decoder on an embedding.
   * in: embeddings, point_coords float32[1,P,2], point_labels float32[1,P], mask_input
   * float32[1,1,256,256], has_mask_input float32[1] (+ orig_im_size float32[2] for unpruned SAM1)
   * → out: low-res logits float32[1,T,256,256], IoU float32[1,T].
   */
  async decode(embedding: Embedding, prompts: Prompts, signal?: AbortSignal): Promise<DecoderOutput> {
    return (await this.decodeBatch(embedding, [prompts], signal))[0]!;
  }

  /**
   * Runs the decoder once on B prompt sets along its batch axis (`contract.batchable`; else B must
   * be 1); the sets must encode alike (see decoderFeeds). out: B outputs, as B single runs give them.
   */
  async decodeBatch(embedding: Embedding, batch: readonly Prompts[], signal?: AbortSignal): Promise<DecoderOutput[]> {
    this.assertOpen();
    const rt = this.runtime;
    const feeds = decoderFeeds(this.contract, batch, embedding.geometry, embedding.tensors, (a) => rt.tensor(a.data, a.dims));
    const [sets, points] = feeds[PROMPT_INPUTS.pointLabels]!.dims as [number, number];
    checkDecoderMemory(points, sets);
    const { masksOutput, iouOutput } = this.contract;
    this.counts.decoderRuns++;
    const results = await this.guarded((s) => rt.run(this.sessions.decoder, feeds, [masksOutput, iouOutput], s), signal);
    const masks = readFloatOutput(results, masksOutput, 4);
    const iou = readFloatOutput(results, iouOutput, 2);
    const [b, tokens] = [batch.length, masks.dims[1]!];
    if (masks.dims[0] !== b || masks.dims[2] !== LOW_RES || masks.dims[3] !== LOW_RES || iou.data.length !== b * tokens) {
      const got = `masks [${masks.dims.join(', ')}] and IoU [${iou.dims.join(', ')}]`;
      throw errorOf('MODEL_CONTRACT', `Decoder returned ${got}; expected [${b}, T, 256, 256] and [${b}, T].`);
    }
    const plane = tokens * LOW_RES * LOW_RES;
    return batch.map((_, k) => ({
      lowRes: masks.data.subarray(k * plane, (k + 1) * plane),
      iou: iou.data.subarray(k * tokens, (k + 1) * tokens),
      tokens,
    }));
  }

  /** Runs `fn` on the embedding of `image` (cached, or encoded once), holding it until `fn` settles. */
  async withEmbedding<T>(image: ImageInput | ImageHandle, signal: AbortSignal | undefined, fn: (embedding: Embedding) => Promise<T>): Promise<T> {
    this.assertOpen();
    const lease = await this.embed(await this.resolve(image), signal);
    try {
      return await fn(lease.value);
    } finally {
      lease.release();
    }
  }

  /** The decoded pixels of `image` (to crop it). */
  pixels(image: ImageInput): Promise<PixelImage> {
    return this.io.decodeImage(image);
  }

  /** Step 1: the image's cache key and, unless it is cached, its pixels (a handle must be cached). */
  private resolve(image: ImageInput | ImageHandle): Promise<ResolvedImage> {
    return resolveImage(image, this.modelId, (i) => this.io.decodeImage(i), (key) => this.cache.known(key));
  }

  /** Step 3: the image's embedding, from the cache or by encoding it once. */
  private async embed(image: ResolvedImage, signal?: AbortSignal): Promise<Lease<Embedding>> {
    let lease: Lease<Embedding> | undefined;
    if (image.handle) {
      lease = this.cache.lease(image.key);
      if (!lease) throw noImageError(image.key);
    } else {
      lease = await this.cache.leaseOrCreate(image.key, async (shared) => this.encode(image.pixels ?? (await image.decode()), shared), signal);
    }
    this.counts[lease.hit ? 'cacheHits' : 'cacheMisses']++;
    return lease;
  }

  /** Encodes `image` ahead of its first prompt (or finds it cached) and returns its handle. */
  async setImage(image: ImageInput | ImageHandle, options: { signal?: AbortSignal } = {}): Promise<ImageHandle> {
    this.assertOpen();
    const lease = await this.embed(await this.resolve(image), options.signal);
    try {
      const { width, height } = lease.value.geometry;
      return { id: lease.key, width, height };
    } finally {
      lease.release();
    }
  }

  /** Drops a cached image; returns whether it was cached. */
  releaseImage(id: string): boolean {
    return this.cache.delete(id);
  }

  stats(): EngineStats {
    return {
      ...this.counts,
      cachedImages: this.cache.size,
      cachedBytes: this.cache.bytes,
      cacheBudgetBytes: this.cache.budgetBytes,
      embeddingLocation: this.embeddingLocation,
      responseBuffers: { ...this.memory.stats },
    };
  }

  /**
   * The whole gateway request → response path, checking in the runner's order. A `hover` request
   * replaces an older hover request still waiting in the queue; explicit requests are never replaced.
   */
  async segment(request: SegmentAnything2Request, options: SegmentOptions = {}): Promise<SegmentAnything2Response> {
    this.assertOpen();
    const signal = options.hover ? this.replaceHover(options.signal) : options.signal;
    const parsed = parseRequest(request, this.modelId); // rows 1–5
    const image = await this.resolve(parsed.image); // row 6: the image decodes
    const prompts = checkPrompts(parsed); // row 7: the prompts can run, before anything is encoded
    const lease = await this.embed(image, signal);
    try {
      throwIfAborted(signal);
      const out = await this.decode(lease.value, prompts, signal);
      await this.memory.settle();
      const { multimask_output: multimask, return_logits: returnLogits } = parsed;
      return postprocess(out, lease.value.geometry, { multimask, returnLogits, maskFormat: options.maskFormat }, this.allocate);
    } finally {
      lease.release();
    }
  }

  /** Response buffers, from {@link memory}. */
  readonly allocate = (byteLength: number): ArrayBuffer => this.memory.take(byteLength);

  private hover?: AbortController;

  /** Aborts the previous hover request (if still waiting) and returns the new one's signal. */
  private replaceHover(signal?: AbortSignal): AbortSignal {
    this.hover?.abort('Replaced by a newer hover request.');
    const own = new AbortController();
    this.hover = own;
    return signal ? AbortSignal.any([signal, own.signal]) : own.signal;
  }

  /**
   * Releases both sessions once the run in progress (if any) ends; queued work rejects with CLOSED.
   * Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort('The segmenter is closed.');
    this.cache.clear();
    this.memory.close();
    await this.runtime.afterRuns(() => Promise.all([this.sessions.encoder.release(), this.sessions.decoder.release()]));
  }

  /**
   * Runs a model call that also stops when the engine closes; a failure is reported as CLOSED or
   * DEVICE_LOST when that happened meanwhile.
   */
  private async guarded<T>(run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await run(signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal);
    } catch (e) {
      if (this.closed) throw closedError(e);
      if (this.lost) throw deviceLostError(this.lost, e);
      throw e;
    }
  }

  /**
   * The GPU device behind the sessions was lost: cached embeddings (GPU buffers) are gone and no run
   * can succeed, so every later call fails with DEVICE_LOST.
   */
  markDeviceLost(reason: string): void {
    if (this.closed || this.lost) return;
    this.lost = reason || 'unknown reason';
    this.cache.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
    if (this.lost) throw deviceLostError(this.lost);
  }
}
