/**
 * Decoder output selection and postprocessing (docs/gateway-contract.md §3.1, §4.3, §4.4).
 *
 * Decoders expose 4 mask tokens (token 0 single-mask, 1–3 multimask), 3 (multimask only, as the
 * samexporter SAM2 export bakes in), or 1 (selected inside the graph). Selection follows SAM2:
 * multimask returns tokens 1–3; single-mask applies the dynamic stability rule to token 0 and falls
 * back to the best-IoU multimask token.
 */
import type { BinaryMasks, MaskFormat, SegmentAnything2Response, Tensor } from '../types.js';
import { LOW_RES, MODEL_SIZE, type Geometry } from './preprocess.js';
import { upsampleBilinear } from './resize.js';

/** Raw decoder outputs for one prompt set. */
export interface DecoderOutput {
  /** T×256×256 low-res logits, unclamped. */
  readonly lowRes: Float32Array;
  /** T predicted IoU scores. */
  readonly iou: Float32Array;
  /** T: 4 (all tokens), 3 (multimask tokens only) or 1 (selected by the graph). */
  readonly tokens: number;
}

/** SAM2's `dynamic_multimask_stability_delta` and `_thresh` (build_sam `apply_postprocessing`). */
export const STABILITY_DELTA = 0.05;
export const STABILITY_THRESH = 0.98;
/** Low-res logits are clamped to ±32 in the response. */
export const LOGIT_CLAMP = 32;

const PLANE = LOW_RES * LOW_RES;

/** `count(logit > δ) / count(logit > -δ)` over one 256×256 plane; 1 when nothing exceeds -δ. */
export function stabilityScore(lowRes: Float32Array, token: number): number {
  let inter = 0;
  let union = 0;
  for (let i = token * PLANE, end = i + PLANE; i < end; i++) {
    const v = lowRes[i]!;
    if (v > STABILITY_DELTA) inter++;
    if (v > -STABILITY_DELTA) union++;
  }
  return union > 0 ? Math.fround(inter / union) : 1;
}

/** Index of the first maximum (torch.argmax) among `iou[from…]`. */
function argmaxFrom(iou: Float32Array, from: number): number {
  let best = from;
  for (let i = from + 1; i < iou.length; i++) if (iou[i]! > iou[best]!) best = i;
  return best;
}

/** The tokens to return, before sorting. */
export function selectTokens(out: DecoderOutput, multimask: boolean): number[] {
  switch (out.tokens) {
    case 4:
      if (multimask) return [1, 2, 3];
      return stabilityScore(out.lowRes, 0) >= STABILITY_THRESH ? [0] : [argmaxFrom(out.iou, 1)];
    case 3:
      // Token 0 is not exported: single-mask mode can only take the stability rule's fallback.
      return multimask ? [0, 1, 2] : [argmaxFrom(out.iou, 0)];
    case 1:
      return [0];
    default:
      throw new RangeError(`a decoder must expose 1, 3 or 4 mask tokens, got ${out.tokens}`);
  }
}

/**
 * numpy's `argsort(scores)[::-1]`: a stable ascending sort, reversed, so ties come out in reverse
 * index order (`[0.5, 0.9, 0.5]` gives `[1, 2, 0]`).
 */
export function descendingOrder(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[a]! - scores[b]! || a - b);
  return idx.reverse();
}

/**
 * Upsamples one token's unclamped logits to the original image size, into `out` at `offset`.
 * SAM2: straight from 256² to H×W. SAM1: to 1024², crop the unpadded region, then to H×W.
 */
export function upsampleToImage(lowRes: Float32Array, token: number, g: Geometry, out: Float32Array, offset = 0): void {
  const srcOffset = token * PLANE;
  const base = { inW: LOW_RES, inH: LOW_RES, srcOffset };
  if (g.family === 'sam2') {
    upsampleBilinear(lowRes, { ...base, outW: g.width, outH: g.height, out, outOffset: offset });
    return;
  }
  const crop = { ...base, outW: MODEL_SIZE, outH: MODEL_SIZE, cropW: g.resizedWidth, cropH: g.resizedHeight };
  if (g.resizedWidth === g.width && g.resizedHeight === g.height) {
    // The second resize would be the identity (an image whose long side is 1024): write directly.
    upsampleBilinear(lowRes, { ...crop, out, outOffset: offset });
    return;
  }
  const padded = upsampleBilinear(lowRes, { ...crop, out: scratch('padded', g.resizedWidth * g.resizedHeight) });
  upsampleBilinear(padded, {
    inW: g.resizedWidth,
    inH: g.resizedHeight,
    outW: g.width,
    outH: g.height,
    out,
    outOffset: offset,
  });
}

/**
 * Reused buffers for intermediates that never leave the thread (the 1024-scale mask of SAM1, one
 * full-size plane of the compact formats). Fresh large buffers are costly (zeroed pages, faulted in
 * on first touch: about 3 ms per MB on small VMs), unlike the response's own buffers these can be kept.
 */
const scratchBuffers = { padded: new Float32Array(0), plane: new Float32Array(0) };
/** Intermediates over 4M floats (16 MiB, a 4-megapixel plane) are not kept. */
const SCRATCH_KEEP = 4 * 2 ** 20;
function scratch(which: keyof typeof scratchBuffers, length: number): Float32Array {
  if (length > SCRATCH_KEEP) return new Float32Array(length);
  if (scratchBuffers[which].length < length) scratchBuffers[which] = new Float32Array(length);
  return scratchBuffers[which].subarray(0, length);
}

/** Where a response's buffers come from (engine/response-memory.ts); plain allocation by default. */
export type Allocate = (byteLength: number) => ArrayBuffer;
const plainAllocate: Allocate = (byteLength) => new ArrayBuffer(byteLength);

export interface PostprocessOptions {
  readonly multimask: boolean;
  readonly returnLogits: boolean;
  readonly maskFormat?: MaskFormat;
}

/**
 * Selection, sorting, upsampling and thresholding: decoder outputs to the gateway response. The
 * full-size masks are written into memory from `allocate`.
 */
export function postprocess(out: DecoderOutput, g: Geometry, opts: PostprocessOptions, allocate: Allocate = plainAllocate): SegmentAnything2Response {
  const selected = selectTokens(out, opts.multimask);
  const order = descendingOrder(selected.map((t) => out.iou[t]!)).map((i) => selected[i]!);
  const c = order.length;
  const scores = Float32Array.from(order, (t) => out.iou[t]!);
  const logits = new Float32Array(c * PLANE);
  order.forEach((t, k) => {
    for (let i = 0; i < PLANE; i++) {
      logits[k * PLANE + i] = Math.min(LOGIT_CLAMP, Math.max(-LOGIT_CLAMP, out.lowRes[t * PLANE + i]!));
    }
  });
  return {
    masks: fullResMasks(out.lowRes, order, g, opts, allocate),
    scores: { data: scores, dims: [c] },
    logits: { data: logits, dims: [c, LOW_RES, LOW_RES] },
  };
}

function fullResMasks(lowRes: Float32Array, order: number[], g: Geometry, opts: PostprocessOptions, allocate: Allocate): Tensor | BinaryMasks {
  const pixels = g.width * g.height;
  const dims = [order.length, g.height, g.width] as const;
  const format = opts.maskFormat ?? 'float32';
  if (format === 'float32') {
    const data = new Float32Array(allocate(order.length * pixels * 4));
    order.forEach((t, k) => upsampleToImage(lowRes, t, g, data, k * pixels));
    if (!opts.returnLogits) for (let i = 0; i < data.length; i++) data[i] = data[i]! > 0 ? 1 : 0;
    return { data, dims };
  }
  const plane = scratch('plane', pixels);
  const data = new Uint8Array(allocate(format === 'uint8' ? order.length * pixels : Math.ceil((order.length * pixels) / 8)));
  order.forEach((t, k) => {
    upsampleToImage(lowRes, t, g, plane);
    const base = k * pixels;
    if (format === 'uint8') {
      for (let i = 0; i < pixels; i++) data[base + i] = plane[i]! > 0 ? 1 : 0;
    } else {
      for (let i = 0; i < pixels; i++) if (plane[i]! > 0) data[(base + i) >> 3]! |= 0x80 >> ((base + i) & 7);
    }
  });
  return { format, data, dims };
}

/** Reads pixel `i` (flattened C×H×W) of a binary mask as 0 or 1. */
export function binaryAt(masks: BinaryMasks, i: number): number {
  return masks.format === 'uint8' ? masks.data[i]! : (masks.data[i >> 3]! >> (7 - (i & 7))) & 1;
}
