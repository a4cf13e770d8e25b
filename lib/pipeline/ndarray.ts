/**
 * `np.array(value)` for the runner's prompt fields: shape discovery, ragged-array errors with numpy
 * 1.26's message, and dtype inference (bool < int < float; strings and objects are kept as kinds so
 * that the later torch conversion can fail the way the runner does).
 */
import { PyNumber, type PyValue } from './pyjson.js';

/** numpy's inferred kind of array; `str` and `object` arrays cannot become tensors. */
export type NdKind = 'bool' | 'int' | 'float' | 'str' | 'object';

/** A dense row-major array of numbers with a numpy shape. */
export interface NdArray {
  readonly shape: readonly number[];
  /** Row-major values; booleans are 0/1. Empty for `str` and `object` arrays. */
  readonly data: Float64Array;
  readonly kind: NdKind;
}

/** numpy 1.26's `NPY_MAXDIMS`: the most dimensions an array can have (numpy 2 raised it to 64). */
export const NUMPY_MAX_DIMS = 32;

/** The ValueError numpy raises for ragged nested sequences, and for nesting past {@link NUMPY_MAX_DIMS}. */
export class RaggedArrayError extends Error {
  override readonly name = 'RaggedArrayError';
  constructor(dims: number, shape: readonly number[], maxDims = NUMPY_MAX_DIMS) {
    super(
      dims === maxDims
        ? 'setting an array element with a sequence. The requested array would exceed the maximum number of ' +
            `dimension of ${maxDims}.`
        : 'setting an array element with a sequence. The requested array has an inhomogeneous shape after ' +
            `${dims} dimensions. The detected shape was ${formatShape(shape)} + inhomogeneous part.`,
    );
  }
}

/** Python's `str(tuple)` for a shape: `(2,)`, `(1, 2)`, `()`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Anything a prompt field may hold once its JSON string (if any) is parsed. */
export type ArrayLikeInput = PyValue | number | boolean | ArrayLike<unknown> | readonly unknown[];

type Leaf = { kind: NdKind; num: number };

const INT64_MIN = -(2n ** 63n);
const UINT64_END = 2n ** 64n;

/** numpy's dtype for a Python int: int64, uint64 up to 2^64 - 1 (kept here as `int`), else object. */
function intLeaf(num: number, big: bigint | undefined): Leaf {
  if (big !== undefined && (big < INT64_MIN || big >= UINT64_END)) return { kind: 'object', num: NaN };
  return { kind: 'int', num };
}

function leafOf(v: unknown): Leaf | undefined {
  if (v instanceof PyNumber) return v.int ? intLeaf(v.num, v.big) : { kind: 'float', num: v.num };
  if (typeof v === 'number') return { kind: Number.isInteger(v) ? 'int' : 'float', num: v };
  if (typeof v === 'bigint') return intLeaf(Number(v), v);
  if (typeof v === 'boolean') return { kind: 'bool', num: v ? 1 : 0 };
  if (typeof v === 'string') return { kind: 'str', num: NaN };
  if (isSequence(v)) return undefined;
  return { kind: 'object', num: NaN };
}

function isSequence(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

const KIND_RANK: Record<NdKind, number> = { bool: 0, int: 1, float: 2, str: 3, object: 4 };

/** State of numpy's shape discovery: the shape found so far and its two flags. */
interface Discovery {
  readonly shape: number[];
  /** MAX_DIMS_WAS_REACHED: a scalar or an empty sequence has fixed the number of dimensions. */
  reached: boolean;
  /** FOUND_RAGGED_ARRAY. */
  ragged: boolean;
}

/**
 * numpy 1.26's `update_shape` (array_coercion.c): merges a scalar (`size` undefined) or a sequence
 * of `size` at `depth` into the shape; returns the new maximum number of dimensions, or -1 (and
 * that maximum through `out`) when this makes the array ragged.
 */
function updateShape(d: Discovery, depth: number, maxDims: number, size: number | undefined): { maxDims: number; ok: boolean } {
  const sequence = size !== undefined;
  const reached = d.reached;
  let ok = true;
  let newNdim = sequence ? 1 : 0;
  if (depth + newNdim > maxDims) {
    ok = false;
    newNdim = maxDims - depth;
  } else if (!sequence && maxDims !== depth) {
    maxDims = depth;
    if (reached) ok = false;
  }
  if (newNdim > 0) {
    if (!reached) d.shape[depth] = size!;
    else if (d.shape[depth] !== size) {
      ok = false;
      maxDims = depth;
    }
  }
  if (!sequence) d.reached = true;
  return { maxDims, ok };
}

/**
 * numpy 1.26's `PyArray_DiscoverDTypeAndShape_Recursive`, reduced to what JSON can hold. Recursion
 * stops at `maxDims` (at most {@link NUMPY_MAX_DIMS}), so any nesting depth is safe.
 */
function discover(v: unknown, depth: number, maxDims: number, d: Discovery): number {
  const sequence = isSequence(v);
  if (!sequence || depth === maxDims) {
    // handle_scalar; a sequence met at the maximum depth is a scalar that makes the array ragged.
    const r = updateShape(d, depth, maxDims, undefined);
    if (!r.ok || sequence) d.ragged = true;
    return r.maxDims;
  }
  const r = updateShape(d, depth, maxDims, v.length);
  if (!r.ok) {
    d.ragged = true;
    return r.maxDims;
  }
  if (v.length === 0) {
    d.reached = true;
    return depth + 1;
  }
  for (let i = 0; i < v.length; i++) maxDims = discover(v[i], depth + 1, maxDims, d);
  return maxDims;
}

/** The shape `np.array(value)` gives, or numpy's ValueError for ragged or too deep nesting. */
export function discoverShape(value: unknown, maxDims = NUMPY_MAX_DIMS): number[] {
  const d: Discovery = { shape: [], reached: false, ragged: false };
  const ndim = discover(value, 0, maxDims, d);
  const shape = d.shape.slice(0, ndim);
  if (d.ragged) throw new RaggedArrayError(ndim, shape, maxDims);
  return shape;
}

/**
 * `value` with every array found at depth `maxDims` replaced by `[]`: numpy never looks inside it
 * (at that depth a sequence is already too deep), so `np.array` gives the same shape or the same
 * error. Unchanged values are returned as they are. This lets a nesting of any depth cross a
 * structured clone, which would overflow the stack on it.
 */
export function clipNesting(value: unknown, maxDims = NUMPY_MAX_DIMS): unknown {
  const clip = (v: unknown, depth: number): unknown => {
    if (!Array.isArray(v)) return v;
    if (depth === maxDims) return [];
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = clip(v[i], depth + 1);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  };
  return clip(value, 0);
}

/**
 * Builds an NdArray the way `np.array(value)` does. Throws {@link RaggedArrayError} for nested
 * sequences of unequal length, or sequences mixed with scalars.
 */
export function toNdArray(value: unknown): NdArray {
  const shape = discoverShape(value);
  // Pass 2 — flatten and infer the dtype.
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  let kind = 'bool' as NdKind;
  let anyLeaf = false;
  let k = 0;
  const fill = (v: unknown, depth: number): void => {
    if (depth < shape.length) {
      const seq = v as ArrayLike<unknown>;
      for (let i = 0; i < seq.length; i++) fill(seq[i], depth + 1);
      return;
    }
    const leaf = leafOf(v)!;
    anyLeaf = true;
    if (KIND_RANK[leaf.kind] > KIND_RANK[kind]) kind = leaf.kind;
    data[k++] = leaf.num;
  };
  fill(value, 0);
  // np.array([]) is float64.
  if (!anyLeaf) kind = 'float';
  return { shape, data: kind === 'str' || kind === 'object' ? new Float64Array(0) : data, kind };
}

/** A typed view of an NdArray's shape for messages: `[1, 2]`. */
export function formatTorchSize(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
