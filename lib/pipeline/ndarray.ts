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

/** The ValueError numpy raises for ragged nested sequences. */
export class RaggedArrayError extends Error {
  override readonly name = 'RaggedArrayError';
  constructor(dims: number, shape: readonly number[]) {
    super(
      'setting an array element with a sequence. The requested array has an inhomogeneous shape after ' +
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

function leafOf(v: unknown): Leaf | undefined {
  if (v instanceof PyNumber) return { kind: v.int ? 'int' : 'float', num: v.num };
  if (typeof v === 'number') return { kind: Number.isInteger(v) ? 'int' : 'float', num: v };
  if (typeof v === 'bigint') return { kind: 'int', num: Number(v) };
  if (typeof v === 'boolean') return { kind: 'bool', num: v ? 1 : 0 };
  if (typeof v === 'string') return { kind: 'str', num: NaN };
  if (isSequence(v)) return undefined;
  return { kind: 'object', num: NaN };
}

function isSequence(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

const KIND_RANK: Record<NdKind, number> = { bool: 0, int: 1, float: 2, str: 3, object: 4 };

/**
 * numpy 1.26's `PyArray_DiscoverDTypeAndShape_Recursive`, reduced to what JSON can hold: the first
 * scalar fixes the number of dimensions, sequence lengths must agree per depth, and a sequence met
 * at or past that depth (or a scalar above it) makes the array ragged.
 */
function discoverShape(value: unknown): number[] {
  const out: number[] = [];
  let maxNdim = 64;
  let leafSeen = false;
  let ragged = false;
  const visit = (v: unknown, depth: number): void => {
    const seq = isSequence(v);
    if (!seq || depth === maxNdim) {
      if (seq) ragged = true;
      else if (maxNdim !== depth) {
        maxNdim = Math.min(maxNdim, depth);
        if (leafSeen) ragged = true;
      }
      leafSeen = true;
      return;
    }
    if (!leafSeen) out[depth] = v.length;
    else if (out[depth] !== v.length) {
      ragged = true;
      maxNdim = depth;
      return;
    }
    for (let i = 0; i < v.length; i++) visit(v[i], depth + 1);
  };
  visit(value, 0);
  const ndim = Math.min(maxNdim, out.length);
  const shape = out.slice(0, ndim);
  if (ragged || !consistent(value, shape, 0)) throw new RaggedArrayError(ndim, shape);
  return shape;
}

/** Whether every sequence down to `shape.length` levels has the length `shape` says. */
function consistent(v: unknown, shape: readonly number[], depth: number): boolean {
  if (depth === shape.length) return !isSequence(v);
  if (!isSequence(v) || v.length !== shape[depth]) return false;
  for (let i = 0; i < v.length; i++) if (!consistent(v[i], shape, depth + 1)) return false;
  return true;
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
  const fill = (v: unknown): void => {
    if (isSequence(v)) {
      for (let i = 0; i < v.length; i++) fill(v[i]);
      return;
    }
    const leaf = leafOf(v)!;
    anyLeaf = true;
    if (KIND_RANK[leaf.kind] > KIND_RANK[kind]) kind = leaf.kind;
    data[k++] = leaf.num;
  };
  fill(value);
  // np.array([]) is float64.
  if (!anyLeaf) kind = 'float';
  return { shape, data: kind === 'str' || kind === 'object' ? new Float64Array(0) : data, kind };
}

/** A typed view of an NdArray's shape for messages: `[1, 2]`. */
export function formatTorchSize(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
