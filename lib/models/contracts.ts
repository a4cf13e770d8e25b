/**
 * The ONNX I/O contracts this library runs (docs/models.md §2, §3), detected from a session's input and
 * output names. Tensors are always addressed by name, never by position.
 */
import { errorOf, type SegmentAnything2Error } from '../errors.js';
import { LOW_RES, type Geometry, type ModelFamily } from '../pipeline/preprocess.js';
import { encodePoints, type Prompts } from '../pipeline/prompts.js';

/** What the engine needs to know about a session: its tensor names. */
export interface SessionNames {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

/** How to feed and read a detected encoder/decoder pair. */
export interface Contract {
  readonly family: ModelFamily;
  /** The encoder's image input, float32 [1, 3, 1024, 1024]. */
  readonly encoderInput: string;
  /** Decoder input name ← encoder output name, for each embedding tensor. */
  readonly embeddings: ReadonlyArray<readonly [decoderInput: string, encoderOutput: string]>;
  /** Decoder outputs: low-res logits [1, T, 256, 256] and IoU [1, T]. */
  readonly masksOutput: string;
  readonly iouOutput: string;
  /** SAM1: the decoder still takes `orig_im_size` (the batch edit prunes it, see onnx-batch.ts). */
  readonly origImSize?: boolean;
  /** The decoder takes several prompt sets along the first axis of its prompt inputs. */
  readonly batchable?: boolean;
}

/** The prompt inputs both decoder contracts share. */
export const PROMPT_INPUTS = { pointCoords: 'point_coords', pointLabels: 'point_labels', maskInput: 'mask_input', hasMaskInput: 'has_mask_input' } as const;
const SHARED_PROMPTS = [PROMPT_INPUTS.pointCoords, PROMPT_INPUTS.pointLabels, PROMPT_INPUTS.maskInput, PROMPT_INPUTS.hasMaskInput] as const;

/**
 * C1, samexporter SAM2: image → high_res_feats_0 [1,32,256,256], high_res_feats_1 [1,64,128,128],
 * image_embed [1,256,64,64]; the decoder takes those plus point_coords [1,N,2], point_labels [1,N],
 * mask_input [1,1,256,256], has_mask_input [1] and returns masks [1,3,256,256], iou_predictions [1,3].
 */
export const SAM2_NAMES = {
  image: 'image',
  embeddings: ['image_embed', 'high_res_feats_0', 'high_res_feats_1'],
  prompts: SHARED_PROMPTS,
  masks: 'masks',
  iou: 'iou_predictions',
} as const;

/**
 * C4, Meta's SAM1 export: image → image_embeddings [1,256,64,64] (any names, one input, one
 * output); the decoder takes image_embeddings, point_coords, point_labels, mask_input,
 * has_mask_input and orig_im_size [2] (H, W), and returns low_res_masks [1,T,256,256] and
 * iou_predictions [1,T] (plus `masks` at orig_im_size, which is not read).
 */
export const SAM1_NAMES = {
  embeddings: 'image_embeddings',
  origImSize: 'orig_im_size',
  /** Not required: the batch edit prunes it with the upsampling it feeds (onnx-batch.ts). */
  prompts: SHARED_PROMPTS,
  masks: 'low_res_masks',
  iou: 'iou_predictions',
} as const;

/** Names of extra decoder outputs that hold all four tokens (see `withExtraOutputs`). */
export interface AllTokenOutputs {
  readonly masks: string;
  readonly iou: string;
}

function contractError(msg: string, encoder: SessionNames, decoder: SessionNames): SegmentAnything2Error {
  const names = (s: SessionNames) => `inputs [${s.inputNames.join(', ')}], outputs [${s.outputNames.join(', ')}]`;
  return errorOf('MODEL_LOAD', `${msg}. Encoder has ${names(encoder)}; decoder has ${names(decoder)}.`);
}

function hasAll(names: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((n) => names.includes(n));
}

/** Detects the contract of an encoder/decoder pair, or throws MODEL_LOAD naming what was found. */
export function detectContract(encoder: SessionNames, decoder: SessionNames, allTokens?: AllTokenOutputs): Contract {
  const d = decoder.inputNames;
  const pick = (fallback: { masks: string; iou: string }) => {
    if (allTokens && hasAll(decoder.outputNames, [allTokens.masks, allTokens.iou])) return { masksOutput: allTokens.masks, iouOutput: allTokens.iou };
    return { masksOutput: fallback.masks, iouOutput: fallback.iou };
  };
  if (hasAll(d, [...SAM2_NAMES.embeddings, ...SAM2_NAMES.prompts])) {
    if (!hasAll(encoder.inputNames, [SAM2_NAMES.image]) || !hasAll(encoder.outputNames, SAM2_NAMES.embeddings)) {
      throw contractError('The decoder follows the SAM2 (samexporter) contract but the encoder does not', encoder, decoder);
    }
    if (!hasAll(decoder.outputNames, [SAM2_NAMES.masks, SAM2_NAMES.iou])) {
      throw contractError('The SAM2 decoder lacks the outputs masks and iou_predictions', encoder, decoder);
    }
    return {
      family: 'sam2',
      encoderInput: SAM2_NAMES.image,
      embeddings: SAM2_NAMES.embeddings.map((n) => [n, n] as const),
      ...pick(SAM2_NAMES),
    };
  }
  if (hasAll(d, [SAM1_NAMES.embeddings, ...SAM1_NAMES.prompts])) {
    if (encoder.inputNames.length !== 1 || encoder.outputNames.length !== 1) {
      throw contractError('A SAM1-family encoder must have one input and one output', encoder, decoder);
    }
    if (!hasAll(decoder.outputNames, [SAM1_NAMES.masks, SAM1_NAMES.iou])) {
      throw contractError('The SAM1 decoder lacks the outputs low_res_masks and iou_predictions', encoder, decoder);
    }
    return {
      family: 'sam1',
      encoderInput: encoder.inputNames[0]!,
      embeddings: [[SAM1_NAMES.embeddings, encoder.outputNames[0]!]],
      ...pick(SAM1_NAMES),
      origImSize: d.includes(SAM1_NAMES.origImSize),
    };
  }
  throw contractError('The decoder matches no known SAM contract (samexporter SAM2, or Meta SAM1)', encoder, decoder);
}

/** A decoder input before it becomes a runtime tensor: float32 data and its dims. */
export interface FeedArray {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * The decoder's feeds for a batch of prompt sets on an encoded image, by the contract's input
 * names: the prompt tensors (`tensor` turns each array into the runtime's tensor) and the encoder's
 * outputs (`embeddings`, by encoder output name) under their decoder input names. Pure: no runtime.
 * in: point_coords [B,P,2], point_labels [B,P], mask_input [B,1,256,256], has_mask_input [B]
 * (SAM1: [1], which Meta's graph broadcasts) (+ orig_im_size [2] for an unpruned SAM1 decoder).
 * The sets must encode to the same number of points, and all have or all lack a mask.
 */
export function decoderFeeds<T>(
  contract: Contract,
  batch: Prompts | readonly Prompts[],
  geometry: Geometry,
  embeddings: Readonly<Record<string, T>>,
  tensor: (array: FeedArray) => T,
): Record<string, T> {
  const sets: readonly Prompts[] = Array.isArray(batch) ? batch : [batch as Prompts];
  const b = sets.length;
  const encoded = sets.map((p) => encodePoints(p, geometry));
  const count = encoded[0]!.count;
  const hasMask = sets[0]!.mask !== undefined;
  if (encoded.some((e) => e.count !== count) || sets.some((p) => (p.mask !== undefined) !== hasMask)) {
    throw new RangeError('a decoder batch needs prompt sets with the same number of points, all with or all without a mask');
  }
  const coords = new Float32Array(b * count * 2);
  const labels = new Float32Array(b * count);
  const plane = LOW_RES * LOW_RES;
  const masks = new Float32Array(b * plane);
  encoded.forEach((e, k) => {
    coords.set(e.coords, k * count * 2);
    labels.set(e.labels, k * count);
    if (hasMask) masks.set(sets[k]!.mask!, k * plane);
  });
  const flags = contract.family === 'sam1' ? 1 : b;
  const arrays: Record<string, FeedArray> = {
    [PROMPT_INPUTS.pointCoords]: { data: coords, dims: [b, count, 2] },
    [PROMPT_INPUTS.pointLabels]: { data: labels, dims: [b, count] },
    [PROMPT_INPUTS.maskInput]: { data: masks, dims: [b, 1, LOW_RES, LOW_RES] },
    [PROMPT_INPUTS.hasMaskInput]: { data: new Float32Array(flags).fill(hasMask ? 1 : 0), dims: [flags] },
  };
  if (contract.family === 'sam1' && contract.origImSize !== false) {
    // An unpruned graph also upsamples to orig_im_size, an output we never fetch; the resized size
    // keeps that unused branch small.
    arrays[SAM1_NAMES.origImSize] = { data: new Float32Array([geometry.resizedHeight, geometry.resizedWidth]), dims: [2] };
  }
  const feeds: Record<string, T> = {};
  for (const [name, array] of Object.entries(arrays)) feeds[name] = tensor(array);
  for (const [decoderInput, encoderOutput] of contract.embeddings) feeds[decoderInput] = embeddings[encoderOutput]!;
  return feeds;
}
