/**
 * Types and options of automatic mask generation ("segment everything", SAM2's
 * `SAM2AutomaticMaskGenerator`) and of many objects in one call.
 */
import { errorOf } from './errors.js';
import type { CocoRle } from './pipeline/mask-export.js';
import type { BooleanField, MaskFormat, PromptField } from './types.js';

/** How `generateMasks` returns each mask, as the reference's `output_mode`. */
export type AutomaticOutputMode = 'binary_mask' | 'uncompressed_rle' | 'coco_rle';

/** One H×W mask, row-major, 0 or 1 per pixel (the reference's boolean array). */
export interface BinaryMaskArray {
  readonly data: Uint8Array;
  /** [H, W]. */
  readonly dims: readonly [number, number];
}

/** The reference's uncompressed RLE: column-major run lengths, starting with a (possibly empty) run of zeros. */
export interface UncompressedRle {
  /** [H, W]. */
  readonly size: [number, number];
  readonly counts: number[];
}

/** The segmentation form of each output mode. */
export interface SegmentationOf {
  binary_mask: BinaryMaskArray;
  uncompressed_rle: UncompressedRle;
  coco_rle: CocoRle;
}

/** One mask of `generateMasks`, with the reference's record fields. */
export interface MaskRecord<S = BinaryMaskArray | UncompressedRle | CocoRle> {
  readonly segmentation: S;
  /** Pixels in the mask. */
  readonly area: number;
  /** [x, y, w, h] around the mask, as the reference computes it (w = last column − first column). */
  readonly bbox: [number, number, number, number];
  /** The model's own estimate of the mask's quality (float32). */
  readonly predicted_iou: number;
  /** The point prompt that produced the mask, in image pixels: `[[x, y]]`. */
  readonly point_coords: [[number, number]];
  /** IoU of the mask thresholded at `mask_threshold ± stability_score_offset` (float32). */
  readonly stability_score: number;
  /** The crop the mask was found in, [x, y, w, h]. */
  readonly crop_box: [number, number, number, number];
}

/** Progress of `generateMasks`: point prompts decoded of all points (over every crop). */
export interface AutomaticProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Options of `generateMasks`: the reference's constructor arguments, names and defaults (see the
 * README's table), plus progress and cancellation.
 */
export interface AutomaticMaskOptions<M extends AutomaticOutputMode = AutomaticOutputMode> {
  /** Points per side of the grid (`null` with `point_grids`). @defaultValue 32 */
  points_per_side?: number | null;
  /** Points decoded in one decoder run (batch axis). @defaultValue 64 */
  points_per_batch?: number;
  /** Keep masks whose predicted IoU is above this. @defaultValue 0.8 */
  pred_iou_thresh?: number;
  /** Keep masks whose stability score is at least this. @defaultValue 0.95 */
  stability_score_thresh?: number;
  /** The cutoff shift of the stability score. @defaultValue 1.0 */
  stability_score_offset?: number;
  /** Logit threshold that binarizes masks. @defaultValue 0.0 */
  mask_threshold?: number;
  /** Box IoU above which duplicate masks are suppressed. @defaultValue 0.7 */
  box_nms_thresh?: number;
  /** Crop layers; layer i adds (2^i)² crops, each encoded separately. @defaultValue 0 */
  crop_n_layers?: number;
  /** Box IoU above which duplicates across crops are suppressed. @defaultValue 0.7 */
  crop_nms_thresh?: number;
  /** Overlap of the first crop layer's crops, as a fraction of the short side. @defaultValue 512 / 1500 */
  crop_overlap_ratio?: number;
  /** Layer n samples `points_per_side / factor^n` points per side. @defaultValue 1 */
  crop_n_points_downscale_factor?: number;
  /** Explicit grids per crop layer, points in [0, 1]², `[[x, y], …]` or flat. Exclusive with `points_per_side`. */
  point_grids?: ReadonlyArray<ReadonlyArray<readonly [number, number]> | ArrayLike<number>> | null;
  /** Fill holes and drop islands of at most this many low-res (256²) pixels, as SAM2's predictor does. @defaultValue 0 */
  min_mask_region_area?: number;
  /** @defaultValue `'binary_mask'` */
  output_mode?: M;
  /** Refine each mask once with its own logits as a mask prompt. @defaultValue false */
  use_m2m?: boolean;
  /** Three masks per point (true) or the single best. @defaultValue true */
  multimask_output?: boolean;
  /** Called after each decoder batch with points done of total. */
  onProgress?: (progress: AutomaticProgress) => void;
  signal?: AbortSignal;
}

/** Options resolved to the reference's defaults and checked. */
export interface ResolvedAutomaticOptions {
  readonly pointGrids: Float64Array[];
  readonly points_per_batch: number;
  readonly pred_iou_thresh: number;
  readonly stability_score_thresh: number;
  readonly stability_score_offset: number;
  readonly mask_threshold: number;
  readonly box_nms_thresh: number;
  readonly crop_n_layers: number;
  readonly crop_nms_thresh: number;
  readonly crop_overlap_ratio: number;
  readonly min_mask_region_area: number;
  readonly output_mode: AutomaticOutputMode;
  readonly use_m2m: boolean;
  readonly multimask_output: boolean;
}

/** One object of `segmentObjects`: the gateway's prompt fields, in any form `segment()` accepts. */
export interface ObjectPrompt {
  point_coords?: PromptField;
  point_labels?: PromptField;
  box?: PromptField;
  mask_input?: PromptField;
}

/** Options of `segmentObjects`: the gateway's other fields, applied to every prompt. */
export interface SegmentObjectsOptions {
  model_id?: string;
  multimask_output?: BooleanField;
  return_logits?: BooleanField;
  normalize_coords?: BooleanField;
  maskFormat?: MaskFormat;
  signal?: AbortSignal;
}

function optionError(msg: string) {
  return errorOf('INVALID_PROMPT', `generateMasks: ${msg}`);
}

/** Defaults of `SAM2AutomaticMaskGenerator.__init__`. */
export const AUTOMATIC_DEFAULTS = {
  points_per_side: 32,
  points_per_batch: 64,
  pred_iou_thresh: 0.8,
  stability_score_thresh: 0.95,
  stability_score_offset: 1.0,
  mask_threshold: 0.0,
  box_nms_thresh: 0.7,
  crop_n_layers: 0,
  crop_nms_thresh: 0.7,
  crop_overlap_ratio: 512 / 1500,
  crop_n_points_downscale_factor: 1,
  min_mask_region_area: 0,
  output_mode: 'binary_mask',
  use_m2m: false,
  multimask_output: true,
} as const;

/** A flat [x0, y0, x1, y1, …] grid from `[[x, y], …]` or a flat array. */
function flatGrid(grid: ReadonlyArray<readonly [number, number]> | ArrayLike<number>): Float64Array {
  const first = (grid as ArrayLike<unknown>)[0];
  const flat = Array.isArray(first) ? (grid as ReadonlyArray<readonly number[]>).flatMap((p) => (p.length === 2 ? [p[0]!, p[1]!] : [NaN])) : Array.from(grid as ArrayLike<number>);
  if (flat.length % 2 !== 0 || !flat.every(Number.isFinite)) throw optionError('point_grids must hold [x, y] pairs of finite numbers');
  return Float64Array.from(flat);
}

/** Applies the defaults, and the reference constructor's checks; `gridsFor` builds the point grids. */
export function resolveAutomaticOptions(
  options: AutomaticMaskOptions,
  gridsFor: (pointsPerSide: number, layers: number, scale: number) => Float64Array[],
): ResolvedAutomaticOptions {
  const o = { ...AUTOMATIC_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof AUTOMATIC_DEFAULTS &
    AutomaticMaskOptions;
  const explicit = options.point_grids != null;
  const side = options.points_per_side === undefined ? (explicit ? null : AUTOMATIC_DEFAULTS.points_per_side) : options.points_per_side;
  if ((side === null) === !explicit) throw optionError('exactly one of points_per_side or point_grids must be provided');
  const int = (name: keyof typeof AUTOMATIC_DEFAULTS, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw optionError(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  const num = (name: keyof typeof AUTOMATIC_DEFAULTS, v: number) => {
    if (typeof v !== 'number' || Number.isNaN(v)) throw optionError(`${name} must be a number, got ${String(v)}`);
  };
  int('points_per_batch', o.points_per_batch, 1);
  int('crop_n_layers', o.crop_n_layers, 0);
  int('crop_n_points_downscale_factor', o.crop_n_points_downscale_factor, 1);
  for (const k of ['pred_iou_thresh', 'stability_score_thresh', 'stability_score_offset', 'mask_threshold', 'box_nms_thresh', 'crop_nms_thresh', 'crop_overlap_ratio', 'min_mask_region_area'] as const) num(k, o[k]);
  if (!['binary_mask', 'uncompressed_rle', 'coco_rle'].includes(o.output_mode)) throw optionError(`Unknown output_mode ${String(o.output_mode)}`);
  let pointGrids: Float64Array[];
  if (side !== null) {
    int('points_per_side', side, 1);
    pointGrids = gridsFor(side, o.crop_n_layers, o.crop_n_points_downscale_factor);
  } else {
    pointGrids = options.point_grids!.map(flatGrid);
  }
  if (pointGrids.length < o.crop_n_layers + 1) throw optionError(`point_grids needs one grid per crop layer (${o.crop_n_layers + 1}), got ${pointGrids.length}`);
  return {
    pointGrids,
    points_per_batch: o.points_per_batch,
    pred_iou_thresh: o.pred_iou_thresh,
    stability_score_thresh: o.stability_score_thresh,
    stability_score_offset: o.stability_score_offset,
    mask_threshold: o.mask_threshold,
    box_nms_thresh: o.box_nms_thresh,
    crop_n_layers: o.crop_n_layers,
    crop_nms_thresh: o.crop_nms_thresh,
    crop_overlap_ratio: o.crop_overlap_ratio,
    min_mask_region_area: o.min_mask_region_area,
    output_mode: o.output_mode,
    use_m2m: Boolean(o.use_m2m),
    multimask_output: Boolean(o.multimask_output),
  };
}
