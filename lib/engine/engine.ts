/**
 * The in-process engine: the whole request → response path on the calling thread. The worker of
 * `worker/` hosts this same class.
 */
import { SegmentAnything2Error } from '../errors.js';
import { detectContract, type Contract } from '../models/contracts.js';
import type { ModelSource, ModelSpec } from '../models/model-spec.js';
import { withExtraOutputs } from '../models/onnx-outputs.js';
import { postprocess, type DecoderOutput } from '../pipeline/postprocess.js';
import { preprocess, LOW_RES, MODEL_SIZE, type Geometry, type PixelImage } from '../pipeline/preprocess.js';
import { checkPrompts, encodePoints, type Prompts } from '../pipeline/prompts.js';
import { parseRequest } from '../pipeline/request.js';
import type { ImageInput, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from '../types.js';
import { readFloatOutput, type OrtRuntime, type OrtSession, type OrtTensor } from './ort-runtime.js';

/** An encoded image: the encoder outputs by name, and where the image sits in model space. */
export interface Embedding {
  readonly tensors: Readonly<Record<string, OrtTensor>>;
  readonly geometry: Geometry;
}

/** What the engine needs from its platform. */
export interface EngineIO {
  readBytes(source: ModelSource, signal?: AbortSignal): Promise<Uint8Array>;
  decodeImage(image: ImageInput): Promise<PixelImage>;
}

export class SegmentEngine {
  private closed = false;

  private constructor(
    readonly modelId: string,
    readonly contract: Contract,
    private readonly runtime: OrtRuntime,
    private readonly encoder: OrtSession,
    private readonly decoder: OrtSession,
    private readonly io: EngineIO,
  ) {}

  /** Loads both model files and detects their contract. */
  static async create(model: ModelSpec, runtime: OrtRuntime, io: EngineIO): Promise<SegmentEngine> {
    const [encoderBytes, decoderBytes] = await Promise.all([io.readBytes(model.encoder), io.readBytes(model.decoder)]);
    const extra = model.allTokenOutputs ? [model.allTokenOutputs.masks, model.allTokenOutputs.iou] : [];
    // WebGPU allows one session creation at a time, so the two are created one after the other.
    const encoder = await runtime.createSession(encoderBytes, 'encoder');
    const decoder = await runtime.createSession(withExtraOutputs(decoderBytes, extra), 'decoder');
    try {
      const contract = detectContract(encoder, decoder, model.allTokenOutputs);
      return new SegmentEngine(model.id, contract, runtime, encoder, decoder, io);
    } catch (e) {
      await Promise.all([encoder.release(), decoder.release()]);
      throw e;
    }
  }

  get family() {
    return this.contract.family;
  }

  /**
   * Runs the image encoder.
   * in: `encoderInput` float32[1,3,1024,1024] → out: the contract's embedding tensors.
   */
  async encode(image: PixelImage): Promise<Embedding> {
    this.assertOpen();
    const { tensor, geometry } = preprocess(image, this.contract.family);
    const input = this.runtime.tensor(tensor, [1, 3, MODEL_SIZE, MODEL_SIZE]);
    const outputs = this.contract.embeddings.map(([, encoderOutput]) => encoderOutput);
    const results = await this.runtime.run(this.encoder, { [this.contract.encoderInput]: input }, outputs);
    return { tensors: results, geometry };
  }

  /**
   * Runs the prompt decoder on an embedding.
   * in: embeddings, point_coords float32[1,P,2], point_labels float32[1,P], mask_input
   * float32[1,1,256,256], has_mask_input float32[1] (+ orig_im_size float32[2] for SAM1)
   * → out: low-res logits float32[1,T,256,256], IoU float32[1,T].
   */
  async decode(embedding: Embedding, prompts: Prompts): Promise<DecoderOutput> {
    this.assertOpen();
    const rt = this.runtime;
    const { geometry } = embedding;
    const points = encodePoints(prompts, geometry);
    const feeds: Record<string, OrtTensor> = {
      point_coords: rt.tensor(points.coords, [1, points.count, 2]),
      point_labels: rt.tensor(points.labels, [1, points.count]),
      mask_input: rt.tensor(prompts.mask ?? new Float32Array(LOW_RES * LOW_RES), [1, 1, LOW_RES, LOW_RES]),
      has_mask_input: rt.tensor(new Float32Array([prompts.mask ? 1 : 0]), [1]),
    };
    for (const [decoderInput, encoderOutput] of this.contract.embeddings) feeds[decoderInput] = embedding.tensors[encoderOutput]!;
    if (this.contract.family === 'sam1') {
      // The graph also upsamples to orig_im_size, an output we never fetch; the resized size keeps
      // that unused branch small.
      feeds.orig_im_size = rt.tensor(new Float32Array([geometry.resizedHeight, geometry.resizedWidth]), [2]);
    }
    const { masksOutput, iouOutput } = this.contract;
    const results = await rt.run(this.decoder, feeds, [masksOutput, iouOutput]);
    const masks = readFloatOutput(results, masksOutput, 4);
    const iou = readFloatOutput(results, iouOutput, 2);
    const tokens = masks.dims[1]!;
    if (masks.dims[2] !== LOW_RES || masks.dims[3] !== LOW_RES || iou.data.length !== tokens) {
      throw new SegmentAnything2Error({
        status: 500,
        code: 'MODEL_LOAD',
        detail: { msg: `Decoder returned masks [${masks.dims.join(', ')}] and IoU [${iou.dims.join(', ')}]; expected [1, T, 256, 256] and [1, T].` },
      });
    }
    return { lowRes: masks.data, iou: iou.data, tokens };
  }

  /** The whole gateway request → response path, checking in the runner's order. */
  async segment(request: SegmentAnything2Request, options: SegmentOptions = {}): Promise<SegmentAnything2Response> {
    this.assertOpen();
    const parsed = parseRequest(request, this.modelId);
    const pixels = await this.io.decodeImage(parsed.image);
    const prompts = checkPrompts(parsed);
    throwIfAborted(options.signal);
    const embedding = await this.encode(pixels);
    try {
      throwIfAborted(options.signal);
      const out = await this.decode(embedding, prompts);
      return postprocess(out, embedding.geometry, {
        multimask: parsed.multimask_output,
        returnLogits: parsed.return_logits,
        maskFormat: options.maskFormat,
      });
    } finally {
      disposeEmbedding(embedding);
    }
  }

  /** Releases both sessions. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }

  private assertOpen(): void {
    if (this.closed) throw new SegmentAnything2Error({ status: 500, code: 'CLOSED', detail: { msg: 'The segmenter is closed.' } });
  }
}

export function disposeEmbedding(embedding: Embedding): void {
  for (const t of Object.values(embedding.tensors)) t.dispose();
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SegmentAnything2Error({ status: 499, code: 'ABORTED', detail: { msg: 'The request was aborted.' }, cause: signal.reason });
  }
}
