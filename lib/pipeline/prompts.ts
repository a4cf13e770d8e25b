/**
 * Prompt checks (the runner's row 7, in the order SAM2's `_prep_prompts` and `_predict` meet them)
 * and prompt encoding into decoder inputs for each model family (docs/gateway-contract.md §2.2, §4.2).
 */
import { promptError } from '../errors.js';
import { formatShape, formatTorchSize, type NdArray } from './ndarray.js';
import { LOW_RES, MODEL_SIZE, type Geometry } from './preprocess.js';
import type { ParsedRequest } from './request.js';

/** Checked prompts, in the caller's units (pixels, or [0, 1] when not normalizing). */
export interface Prompts {
  /** N×2 click coordinates, x then y. */
  readonly points: Float64Array;
  /** N labels, truncated to integers as torch's `int` cast does: 1 foreground, 0 background. */
  readonly labels: Int32Array;
  /** One box, x0, y0, x1, y1, or undefined. */
  readonly box?: Float64Array;
  /** 256×256 low-res logits of a previous mask, or undefined. */
  readonly mask?: Float32Array;
  /** `normalize_coords`: coordinates are pixels of the original image (true) or already in [0, 1] (false). */
  readonly normalizeCoords: boolean;
}

const TORCH_TYPES =
  'The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.';

/** torch.as_tensor on a numpy str_/object_ array fails with this TypeError. */
function requireNumeric(a: NdArray): void {
  if (a.kind === 'str' || a.kind === 'object') {
    throw promptError(`can't convert np.ndarray of type numpy.${a.kind}_. ${TORCH_TYPES}`);
  }
}

function requireFinite(name: string, a: NdArray): void {
  // Python's json accepts NaN and Infinity (and numbers past float32's range, which become Infinity
  // in the model's float32 inputs); the runner would return NaN masks. We refuse them.
  if (!a.data.every((v) => Number.isFinite(Math.fround(v)))) {
    throw promptError(`${name} must hold finite numbers within float32 range, got NaN, Infinity or a number beyond ±3.4e38`);
  }
}

/** Points: (N, 2), or a batch of one (1, N, 2). Returns N. */
function checkPoints(coords: NdArray): number {
  const s = coords.shape;
  const ok = (s.length === 2 || (s.length === 3 && s[0] === 1)) && s[s.length - 1] === 2;
  if (!ok) {
    const batch = s.length === 3 && s[2] === 2 ? ' (one prompt set per request)' : '';
    throw promptError(`point_coords must have shape (N, 2) or (1, N, 2)${batch}, got ${formatShape(s)}`);
  }
  return s[s.length - 2]!;
}

function checkLabels(labels: NdArray, coords: NdArray, points: number, boxPoints: number): Int32Array {
  const s = labels.shape;
  const expectedNdim = coords.shape.length - 1;
  if (s.length !== expectedNdim || (expectedNdim === 2 && s[0] !== 1)) {
    throw promptError(`point_labels must have shape ${expectedNdim === 1 ? '(N,)' : '(1, N)'}, got ${formatShape(s)}`);
  }
  const n = s[s.length - 1]!;
  if (n !== points) {
    // The prompt encoder pads points and labels with one (0, 0, -1) point, then masks the point
    // embeddings (1, P, 256) with `labels == -1` (1, L): torch's IndexError.
    const mask = formatTorchSize([1, n + boxPoints + 1]);
    const indexed = formatTorchSize([1, points + boxPoints + 1, 256]);
    throw promptError(`The shape of the mask ${mask} at index 1 does not match the shape of the indexed tensor ${indexed} at index 1`);
  }
  return Int32Array.from(labels.data, (v) => Math.trunc(v));
}

function checkBox(box: NdArray): Float64Array {
  const size = box.data.length;
  if (size % 4 !== 0) throw promptError(`shape '[-1, 2, 2]' is invalid for input of size ${size}`);
  if (size !== 4) throw promptError(`only one box per request is supported, got ${size / 4} boxes`);
  return Float64Array.from(box.data);
}

function checkMask(mask: NdArray): Float32Array {
  const s = mask.shape;
  const ok =
    (s.length === 3 && s[0] === 1 && s[1] === LOW_RES && s[2] === LOW_RES) ||
    (s.length === 4 && s[0] === 1 && s[1] === 1 && s[2] === LOW_RES && s[3] === LOW_RES);
  if (!ok) throw promptError(`mask_input must have shape (1, 256, 256) or (1, 1, 256, 256), got ${formatShape(s)}`);
  return Float32Array.from(mask.data);
}

/** Row 7 of the runner's checks, on a parsed request; returns the prompts ready to encode. */
export function checkPrompts(req: ParsedRequest): Prompts {
  const { point_coords: coords, point_labels: labelsIn, box: boxIn, mask_input: maskIn } = req;
  let points: Float64Array = new Float64Array(0);
  let labels: Int32Array = new Int32Array(0);
  let box: Float64Array | undefined;
  let mask: Float32Array | undefined;
  let count = 0;
  if (coords) {
    if (!labelsIn) throw promptError('point_labels must be supplied if point_coords is supplied.');
    requireNumeric(coords);
    count = checkPoints(coords);
    requireNumeric(labelsIn);
  }
  if (boxIn) {
    requireNumeric(boxIn);
    box = checkBox(boxIn);
  }
  if (maskIn) {
    requireNumeric(maskIn);
    mask = checkMask(maskIn);
  }
  if (coords && labelsIn) {
    labels = checkLabels(labelsIn, coords, count, box ? 2 : 0);
    requireFinite('point_coords', coords);
    requireFinite('point_labels', labelsIn);
    points = Float64Array.from(coords.data);
  }
  if (boxIn) requireFinite('box', boxIn);
  if (maskIn) requireFinite('mask_input', maskIn);
  return { points, labels, box, mask, normalizeCoords: req.normalize_coords };
}

/** Decoder point inputs: `coords` is [1, count, 2] in model space, `labels` [1, count]. */
export interface EncodedPoints {
  readonly coords: Float32Array;
  readonly labels: Float32Array;
  readonly count: number;
}

/** Label codes of the SAM prompt encoders. Only this module deals in them. */
const LABEL = { padding: -1, boxTopLeft: 2, boxBottomRight: 3 } as const;

/**
 * Maps prompts into the model's 1024-space and lays them out for the family's decoder:
 * - SAM2 (samexporter graph): box corners (labels 2, 3) first, then the clicks; the graph itself adds
 *   the padding point and the +0.5 pixel-centre offset.
 * - SAM1 (Meta's export): clicks, then the box corners, or a (0, 0, -1) padding point when there is
 *   no box, as `SamPredictor` and the exported graph expect.
 */
export function encodePoints(prompts: Prompts, geometry: Geometry): EncodedPoints {
  const { points, labels, box } = prompts;
  const toModel = modelTransform(prompts.normalizeCoords, geometry);
  const entries: Array<[number, number, number]> = [];
  const clicks = () => {
    for (let i = 0; i < labels.length; i++) entries.push([...toModel(points[2 * i]!, points[2 * i + 1]!), labels[i]!]);
  };
  const corners = () => {
    if (!box) return;
    entries.push([...toModel(box[0]!, box[1]!), LABEL.boxTopLeft]);
    entries.push([...toModel(box[2]!, box[3]!), LABEL.boxBottomRight]);
  };
  if (geometry.family === 'sam2') {
    corners();
    clicks();
  } else {
    clicks();
    if (box) corners();
    else entries.push([0, 0, LABEL.padding]);
  }
  const coords = new Float32Array(entries.length * 2);
  const out = new Float32Array(entries.length);
  entries.forEach(([x, y, l], i) => {
    coords[2 * i] = x;
    coords[2 * i + 1] = y;
    out[i] = l;
  });
  return { coords, labels: out, count: entries.length };
}

/**
 * The coordinate transform into model space.
 * SAM2 (`SAM2Transforms.transform_coords`, float32 as torch computes it): x/W·1024 and y/H·1024, or
 * x·1024 and y·1024 for normalized input. SAM1 (`ResizeLongestSide.apply_coords`, float64): x·W'/W,
 * where W' is the resized width; normalized input is scaled by W' directly.
 */
function modelTransform(normalizeCoords: boolean, g: Geometry): (x: number, y: number) => [number, number] {
  const f = Math.fround;
  if (g.family === 'sam2') {
    return normalizeCoords
      ? (x, y) => [f(f(f(x) / g.width) * MODEL_SIZE), f(f(f(y) / g.height) * MODEL_SIZE)]
      : (x, y) => [f(f(x) * MODEL_SIZE), f(f(y) * MODEL_SIZE)];
  }
  const sx = normalizeCoords ? g.resizedWidth / g.width : g.resizedWidth;
  const sy = normalizeCoords ? g.resizedHeight / g.height : g.resizedHeight;
  return (x, y) => [f(x * sx), f(y * sy)];
}
