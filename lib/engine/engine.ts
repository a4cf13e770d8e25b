/**
 * The in-process engine: the whole request → response path on the calling thread. The worker of
 * `worker/` hosts this same class.
 */
import { closedError, deviceLostError, errorOf, throwIfAborted } from '../errors.js';
import { encodedBytes } from '../image/pixels.js';
import { detectContract, type Contract } from '../models/contracts.js';
import type { ModelBytes } from '../models/model-loader.js';
import type { ModelSpec } from '../models/model-spec.js';
import { withExtraOutputs } from '../models/onnx-outputs.js';
import { dropRankZeroValueInfo } from '../models/onnx-repair.js';
import { postprocess, type DecoderOutput } from '../pipeline/postprocess.js';
import { preprocess, LOW_RES, MODEL_SIZE, type Geometry, type PixelImage } from '../pipeline/preprocess.js';
import { checkPrompts, encodePoints, type Prompts } from '../pipeline/prompts.js';
import { parseRequest } from '../pipeline/request.js';
import type { EngineStats } from '../options.js';
import type { ImageHandle, ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from '../types.js';
import { EmbeddingCache, type Lease } from './embedding-cache.js';
import { contentKey } from './content-key.js';
import { readFloatOutput, type OrtRuntime, type OrtSession, type OrtTensor } from './ort-runtime.js';

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
}

/** What an engine is made from. */
export interface EngineInit {
  readonly model: ModelSpec;
  readonly bytes: ModelBytes;
  readonly runtime: OrtRuntime;
  readonly io: EngineIO;
  /** The embedding cache's byte budget. */
  readonly cacheBytes: number;
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

  private constructor(
    readonly modelId: string,
    readonly contract: Contract,
    private readonly runtime: OrtRuntime,
    private readonly encoder: OrtSession,
    private readonly decoder: OrtSession,
    private readonly io: EngineIO,
    cacheBytes: number,
  ) {
    this.cache = new EmbeddingCache(cacheBytes);
  }

  /** Creates both sessions on `runtime` and detects their contract. */
  static async create(options: EngineInit): Promise<SegmentEngine> {
    const { model, bytes, runtime, io, cacheBytes } = options;
    const { encoder, decoder, contract } = await createModelSessions(model, bytes, runtime);
    return new SegmentEngine(model.id, contract, runtime, encoder, decoder, io, cacheBytes);
  }

  get family() {
    return this.contract.family;
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
    const tensors = await this.guarded((s) => this.runtime.run(this.encoder, { [this.contract.encoderInput]: input }, outputs, s), signal);
    const bytes = Object.values(tensors).reduce((sum, t) => sum + t.size * 4, 0);
    this.embeddingLocation = tensors[this.contract.embeddings[0]![1]]?.location;
    return { tensors, geometry, bytes, dispose: () => Object.values(tensors).forEach((t) => t.dispose()) };
  }

  /**
   * Runs the prompt decoder on an embedding.
   * in: embeddings, point_coords float32[1,P,2], point_labels float32[1,P], mask_input
   * float32[1,1,256,256], has_mask_input float32[1] (+ orig_im_size float32[2] for SAM1)
   * → out: low-res logits float32[1,T,256,256], IoU float32[1,T].
   */
  async decode(embedding: Embedding, prompts: Prompts, signal?: AbortSignal): Promise<DecoderOutput> {
    this.assertOpen();
    const rt = this.runtime;
    const feeds = decoderFeeds(this.contract, rt, embedding, prompts);
    const { masksOutput, iouOutput } = this.contract;
    this.counts.decoderRuns++;
    const results = await this.guarded((s) => rt.run(this.decoder, feeds, [masksOutput, iouOutput], s), signal);
    const masks = readFloatOutput(results, masksOutput, 4);
    const iou = readFloatOutput(results, iouOutput, 2);
    const tokens = masks.dims[1]!;
    if (masks.dims[2] !== LOW_RES || masks.dims[3] !== LOW_RES || iou.data.length !== tokens) {
      throw errorOf('MODEL_CONTRACT', `Decoder returned masks [${masks.dims.join(', ')}] and IoU [${iou.dims.join(', ')}]; expected [1, T, 256, 256] and [1, T].`);
    }
    return { lowRes: masks.data, iou: iou.data, tokens };
  }

  /**
   * The embedding of `image`, from the cache or by encoding it once. Encoded bytes are keyed by
   * their hash before decoding, so a cache hit skips decoding too.
   */
  private async embeddingFor(image: ImageInput | ImageHandle, signal?: AbortSignal): Promise<Lease<Embedding>> {
    if (isHandle(image)) {
      const lease = this.cache.lease(image.id);
      if (!lease) {
        throw errorOf('NO_IMAGE', `image: no cached image has the id ${image.id}; send the image itself, or call setImage again.`);
      }
      this.counts.cacheHits++;
      return lease;
    }
    const bytes = await encodedBytes(image);
    const pixels = bytes ? undefined : await this.io.decodeImage(image);
    const key = await contentKey(this.modelId, bytes ?? pixels!);
    const lease = await this.cache.leaseOrCreate(
      key,
      async (shared) => this.encode(pixels ?? (await this.io.decodeImage(bytes!)), shared),
      signal,
    );
    this.counts[lease.hit ? 'cacheHits' : 'cacheMisses']++;
    return lease;
  }

  /** Encodes `image` ahead of its first prompt (or finds it cached) and returns its handle. */
  async setImage(image: ImageInput | ImageHandle, options: { signal?: AbortSignal } = {}): Promise<ImageHandle> {
    this.assertOpen();
    const lease = await this.embeddingFor(image, options.signal);
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
    };
  }

  /**
   * The whole gateway request → response path, checking in the runner's order. A `hover` request
   * replaces an older hover request still waiting in the queue; explicit requests are never replaced.
   */
  async segment(request: SegmentAnything2Request, options: SegmentOptions = {}): Promise<SegmentAnything2Response> {
    this.assertOpen();
    const signal = options.hover ? this.replaceHover(options.signal) : options.signal;
    const parsed = parseRequest(request, this.modelId);
    const lease = await this.embeddingFor(parsed.image, signal);
    try {
      const prompts = checkPrompts(parsed);
      throwIfAborted(signal);
      const out = await this.decode(lease.value, prompts, signal);
      return postprocess(out, lease.value.geometry, {
        multimask: parsed.multimask_output,
        returnLogits: parsed.return_logits,
        maskFormat: options.maskFormat,
      });
    } finally {
      lease.release();
    }
  }

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
    await this.runtime.afterRuns(() => Promise.all([this.encoder.release(), this.decoder.release()]));
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

/** A model's two sessions and their contract (the engine's, and a benchmark's bare sessions). */
export async function createModelSessions(
  model: ModelSpec,
  bytes: ModelBytes,
  runtime: OrtRuntime,
): Promise<{ encoder: OrtSession; decoder: OrtSession; contract: Contract }> {
  const repair = (b: Uint8Array) => (model.repairValueInfo ? dropRankZeroValueInfo(b).model : b);
  const extra = model.allTokenOutputs ? [model.allTokenOutputs.masks, model.allTokenOutputs.iou] : [];
  // WebGPU allows one session creation at a time, so the two are created one after the other.
  const encoder = await runtime.createSession(repair(bytes.encoder), 'encoder');
  const decoder = await runtime.createSession(withExtraOutputs(repair(bytes.decoder), extra), 'decoder');
  try {
    return { encoder, decoder, contract: detectContract(encoder, decoder, model.allTokenOutputs) };
  } catch (e) {
    await Promise.all([encoder.release(), decoder.release()]);
    throw e;
  }
}

/** The decoder's feeds for `prompts` on `embedding`: the engine's, and a benchmark's bare run's. */
export function decoderFeeds(contract: Contract, rt: OrtRuntime, embedding: Embedding, prompts: Prompts): Record<string, OrtTensor> {
  const { geometry } = embedding;
  const points = encodePoints(prompts, geometry);
  const feeds: Record<string, OrtTensor> = {
    point_coords: rt.tensor(points.coords, [1, points.count, 2]),
    point_labels: rt.tensor(points.labels, [1, points.count]),
    mask_input: rt.tensor(prompts.mask ?? new Float32Array(LOW_RES * LOW_RES), [1, 1, LOW_RES, LOW_RES]),
    has_mask_input: rt.tensor(new Float32Array([prompts.mask ? 1 : 0]), [1]),
  };
  for (const [decoderInput, encoderOutput] of contract.embeddings) feeds[decoderInput] = embedding.tensors[encoderOutput]!;
  if (contract.family === 'sam1') {
    // The graph also upsamples to orig_im_size, an output we never fetch; the resized size keeps
    // that unused branch small.
    feeds.orig_im_size = rt.tensor(new Float32Array([geometry.resizedHeight, geometry.resizedWidth]), [2]);
  }
  return feeds;
}

function isHandle(image: ImageInput | ImageHandle): image is ImageHandle {
  return typeof image === 'object' && image !== null && typeof (image as ImageHandle).id === 'string' && !('data' in image);
}

