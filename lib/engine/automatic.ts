/**
 * Automatic masks (SAM2's `SAM2AutomaticMaskGenerator._generate_masks`, `_process_crop`,
 * `_process_batch`) and many objects in one call, on an engine: decoder runs go through the
 * decoder's batch axis when it has one; everything else is the pure code of lib/pipeline/amg.ts.
 */
import type {
  AutomaticMaskOptions,
  AutomaticOutputMode,
  MaskRecord,
  ObjectPrompt,
  ResolvedAutomaticOptions,
  SegmentationOf,
  SegmentObjectsOptions,
} from '../automatic.js';
import { resolveAutomaticOptions } from '../automatic.js';
import { errorOf, throwIfAborted } from '../errors.js';
import {
  areaFromRle,
  batches,
  boxNms,
  buildAllLayerPointGrids,
  fillHolesAndSprinkles,
  generateCropBoxes,
  isBoxNearCropEdge,
  maskBox,
  maskToRle,
  rleToMask,
  stabilityScore,
  uncropBox,
  type BoxXYXY,
} from '../pipeline/amg.js';
import { cocoRleFromCounts } from '../pipeline/mask-export.js';
import { LOGIT_CLAMP, postprocess, selectTokens, upsampleToImage, type DecoderOutput } from '../pipeline/postprocess.js';
import { LOW_RES, type Geometry, type PixelImage } from '../pipeline/preprocess.js';
import { checkPrompts, encodePoints, type Prompts } from '../pipeline/prompts.js';
import { parseRequest } from '../pipeline/request.js';
import type { ImageHandle, ImageInput, RawImage, SegmentAnything2Response } from '../types.js';
import type { Embedding, SegmentEngine } from './engine.js';

const PLANE = LOW_RES * LOW_RES;

/** A kept mask of one crop, before the records are written. */
interface Candidate {
  readonly rle: number[];
  /** XYXY, inclusive, in crop pixels until uncropped. */
  box: BoxXYXY;
  readonly iou: number;
  /** float32 x, y in crop pixels until uncropped. */
  point: [number, number];
  readonly stability: number;
  crop: BoxXYXY;
}

/** One candidate mask straight from the decoder: a low-res plane and its IoU. */
interface RawMask {
  readonly lowRes: Float32Array;
  readonly iou: number;
  readonly point: number;
}

function isHandle(image: ImageInput | ImageHandle): image is ImageHandle {
  return typeof image === 'object' && image !== null && typeof (image as ImageHandle).id === 'string' && !('data' in image);
}

/** Runs `sets` through the decoder, `batchSize` at a time where the decoder has a batch axis. */
async function decodeAll(engine: SegmentEngine, embedding: Embedding, sets: readonly Prompts[], batchSize: number, signal?: AbortSignal): Promise<DecoderOutput[]> {
  const size = engine.contract.batchable ? batchSize : 1;
  const out: DecoderOutput[] = [];
  for (const [s, e] of batches(sets.length, size)) {
    throwIfAborted(signal);
    out.push(...(await engine.decodeBatch(embedding, sets.slice(s, e), signal)));
  }
  return out;
}

/** A single foreground click at (x, y) crop pixels, normalized by the crop size as the reference does. */
function click(x: number, y: number, mask?: Float32Array): Prompts {
  return { points: Float64Array.of(x, y), labels: Int32Array.of(1), mask, normalizeCoords: true };
}

/** `_process_batch`: decode a batch of points, filter, threshold, box, drop crop-edge masks, RLE. */
async function processBatch(
  engine: SegmentEngine,
  embedding: Embedding,
  points: Float32Array,
  crop: BoxXYXY,
  image: { width: number; height: number },
  o: ResolvedAutomaticOptions,
  signal?: AbortSignal,
): Promise<Candidate[]> {
  const n = points.length / 2;
  const sets = Array.from({ length: n }, (_, k) => click(points[2 * k]!, points[2 * k + 1]!));
  const outs = await engine.decodeBatch(embedding, sets, signal);
  let raw: RawMask[] = outs.flatMap((out, k) => selectTokens(out, o.multimask_output).map((t) => ({ lowRes: out.lowRes.subarray(t * PLANE, (t + 1) * PLANE), iou: out.iou[t]!, point: k })));
  if (o.use_m2m) {
    // One refinement step: each mask's clamped low-res logits as the mask prompt of its own point.
    const refine = raw.map((m) => click(points[2 * m.point]!, points[2 * m.point + 1]!, m.lowRes.map((v) => Math.min(LOGIT_CLAMP, Math.max(-LOGIT_CLAMP, v)))));
    const refined = await decodeAll(engine, embedding, refine, o.points_per_batch, signal);
    raw = refined.map((out, i) => {
      const t = selectTokens(out, false)[0]!;
      return { lowRes: out.lowRes.subarray(t * PLANE, (t + 1) * PLANE), iou: out.iou[t]!, point: raw[i]!.point };
    });
  }
  const g = embedding.geometry;
  const pixels = g.width * g.height;
  const logits = new Float32Array(pixels);
  const binary = new Uint8Array(pixels);
  const iouCut = Math.fround(o.pred_iou_thresh);
  const maskCut = Math.fround(o.mask_threshold);
  const stabilityCut = Math.fround(o.stability_score_thresh);
  const kept: Candidate[] = [];
  for (const m of raw) {
    if (o.pred_iou_thresh > 0 && !(m.iou > iouCut)) continue;
    upscaled(m.lowRes, g, o.min_mask_region_area, logits);
    const stability = stabilityScore(logits, o.mask_threshold, o.stability_score_offset);
    if (o.stability_score_thresh > 0 && !(stability >= stabilityCut)) continue;
    for (let i = 0; i < pixels; i++) binary[i] = logits[i]! > maskCut ? 1 : 0;
    const box = maskBox(binary, g.width, g.height);
    if (isBoxNearCropEdge(box, crop, [0, 0, image.width, image.height])) continue;
    kept.push({
      rle: maskToRle(binary, g.width, g.height, crop, image.width, image.height),
      box,
      iou: m.iou,
      point: [points[2 * m.point]!, points[2 * m.point + 1]!],
      stability,
      crop,
    });
  }
  return kept;
}

/** The predictor's `postprocess_masks`: optional hole/sprinkle removal, then upsampling to the image. */
function upscaled(lowRes: Float32Array, g: Geometry, minRegion: number, out: Float32Array): void {
  let plane = lowRes;
  if (minRegion > 0) {
    plane = Float32Array.from(lowRes);
    fillHolesAndSprinkles(plane, LOW_RES, LOW_RES, minRegion, minRegion);
  }
  upsampleToImage(plane, 0, g, out);
}

/** The crop of `pixels` inside `box`, as raw pixels. */
function cropPixels(pixels: PixelImage, [x0, y0, x1, y1]: BoxXYXY): RawImage {
  const { channels, width } = pixels;
  const w = x1 - x0;
  const data = new Uint8Array(w * (y1 - y0) * channels);
  for (let y = y0; y < y1; y++) data.set(pixels.data.subarray((y * width + x0) * channels, (y * width + x1) * channels), (y - y0) * w * channels);
  return { data, width: w, height: y1 - y0, channels };
}

function xywh([x0, y0, x1, y1]: BoxXYXY): [number, number, number, number] {
  return [x0, y0, x1 - x0, y1 - y0];
}

/** `SAM2AutomaticMaskGenerator.generate` on an engine. */
export async function generateMasks<M extends AutomaticOutputMode = 'binary_mask'>(
  engine: SegmentEngine,
  image: ImageInput | ImageHandle,
  options: AutomaticMaskOptions<M> = {},
): Promise<MaskRecord<SegmentationOf[M]>[]> {
  const { signal, onProgress } = options;
  const o = resolveAutomaticOptions(options, buildAllLayerPointGrids);
  if (o.crop_n_layers > 0 && isHandle(image)) {
    throw errorOf('INVALID_PROMPT', 'generateMasks: crop_n_layers > 0 needs the image itself to crop, not an image handle');
  }
  return engine.withEmbedding(image, signal, async (full) => {
    const { width, height } = full.geometry;
    const { boxes, layerIdxs } = generateCropBoxes(width, height, o.crop_n_layers, o.crop_overlap_ratio);
    const total = layerIdxs.reduce((sum, layer) => sum + o.pointGrids[layer]!.length / 2, 0);
    let done = 0;
    onProgress?.({ done, total });
    const pixels = boxes.length > 1 ? await engine.pixels(image as ImageInput) : undefined;
    const all: Candidate[] = [];
    for (let c = 0; c < boxes.length; c++) {
      const crop = boxes[c]!;
      const grid = o.pointGrids[layerIdxs[c]!]!;
      const run = async (embedding: Embedding) => {
        const g = embedding.geometry;
        // points_for_image = grid * [crop_w, crop_h] (float64), then float32 as torch.as_tensor makes it.
        const points = Float32Array.from(grid, (v, i) => v * (i % 2 === 0 ? g.width : g.height));
        const found: Candidate[] = [];
        const size = engine.contract.batchable ? o.points_per_batch : 1;
        for (const [s, e] of batches(points.length / 2, o.points_per_batch)) {
          // A decoder without a batch axis runs the reference's batch one point at a time.
          for (const [a, b] of batches(e - s, size)) {
            throwIfAborted(signal);
            found.push(...(await processBatch(engine, embedding, points.subarray(2 * (s + a), 2 * (s + b)), crop, { width, height }, o, signal)));
          }
          done += e - s;
          onProgress?.({ done, total });
        }
        // Remove duplicates within this crop, best predicted IoU first.
        const keep = boxNms(
          found.map((m) => m.box),
          found.map((m) => m.iou),
          o.box_nms_thresh,
        );
        for (const i of keep) {
          const m = found[i]!;
          m.box = uncropBox(m.box, crop);
          m.point = [Math.fround(m.point[0] + crop[0]), Math.fround(m.point[1] + crop[1])];
          all.push(m);
        }
      };
      if (c === 0) await run(full);
      else await engine.withEmbedding(cropPixels(pixels!, crop), signal, run);
    }
    let kept = all;
    if (boxes.length > 1) {
      // Remove duplicates between crops, preferring masks from smaller crops.
      const scores = all.map((m) => Math.fround(1 / ((m.crop[2] - m.crop[0]) * (m.crop[3] - m.crop[1]))));
      kept = boxNms(
        all.map((m) => m.box),
        scores,
        o.crop_nms_thresh,
      ).map((i) => all[i]!);
    }
    return kept.map((m) => ({
      segmentation: segmentation(m.rle, width, height, o.output_mode) as SegmentationOf[M],
      area: areaFromRle(m.rle),
      bbox: xywh(m.box),
      predicted_iou: m.iou,
      point_coords: [m.point],
      stability_score: m.stability,
      crop_box: xywh(m.crop),
    }));
  });
}

function segmentation(counts: number[], width: number, height: number, mode: AutomaticOutputMode): SegmentationOf[AutomaticOutputMode] {
  if (mode === 'coco_rle') return cocoRleFromCounts(counts, width, height);
  if (mode === 'uncompressed_rle') return { size: [height, width], counts };
  return { data: rleToMask(counts, width, height), dims: [height, width] };
}

/**
 * One response per prompt, each equal to `segment()` for that prompt alone: prompts that encode to
 * the same decoder input shape share decoder runs (up to `batchSize` per run).
 */
export async function segmentObjects(
  engine: SegmentEngine,
  image: ImageInput | ImageHandle,
  prompts: readonly ObjectPrompt[],
  options: SegmentObjectsOptions = {},
  batchSize = 64,
): Promise<SegmentAnything2Response[]> {
  const { signal, maskFormat, model_id, multimask_output, return_logits, normalize_coords } = options;
  const parsed = prompts.map((p) => parseRequest({ ...p, image, model_id, multimask_output, return_logits, normalize_coords }, engine.modelId));
  if (parsed.length === 0) return [];
  return engine.withEmbedding(image, signal, async (embedding) => {
    const sets = parsed.map(checkPrompts);
    // Group by decoder input shape: encoded point count and whether a mask is given.
    const groups = new Map<string, number[]>();
    sets.forEach((p, i) => {
      const key = `${encodePoints(p, embedding.geometry).count}/${p.mask !== undefined}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    const outs: DecoderOutput[] = new Array(sets.length);
    for (const members of groups.values()) {
      const decoded = await decodeAll(
        engine,
        embedding,
        members.map((i) => sets[i]!),
        batchSize,
        signal,
      );
      members.forEach((i, k) => (outs[i] = decoded[k]!));
    }
    return outs.map((out, i) =>
      postprocess(out, embedding.geometry, { multimask: parsed[i]!.multimask_output, returnLogits: parsed[i]!.return_logits, maskFormat }, engine.allocate),
    );
  });
}
