/**
 * The runner's 200 body, byte for byte (docs/gateway-contract.md §3): each field is Python's
 * `str(ndarray.tolist())` of float32 values widened to doubles, and the body is compact JSON with
 * the keys in the order masks, scores, logits.
 */
import type { BinaryMasks, SegmentAnything2Response, Tensor } from '../types.js';
import { binaryAt } from './postprocess.js';

/**
 * Python's `repr(float)`: the shortest round-trip digits, fixed notation for 1e-4 ≤ |x| < 1e16
 * with a `.0` on integral values, scientific notation otherwise with a signed, 2-digit exponent.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const exp = x.toExponential(); // shortest round-trip digits, e.g. "-3.200000047683716e+0"
  const e = exp.indexOf('e');
  const exponent = Number(exp.slice(e + 1));
  if (exponent >= -4 && exponent < 16) {
    const s = toFixedShortest(exp.slice(0, e), exponent);
    return s.includes('.') ? s : `${s}.0`;
  }
  const mantissa = exp.slice(0, e);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** Writes the mantissa digits of `d.ddd × 10^exponent` in fixed notation. */
function toFixedShortest(mantissa: string, exponent: number): string {
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = exponent + 1; // digits before the decimal point
  let s: string;
  if (point <= 0) s = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) s = digits + '0'.repeat(point - digits.length);
  else s = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${s}` : s;
}

/** `str(nested_list)` of a row-major tensor, with `", "` separators at every level. */
export function pythonListRepr(data: ArrayLike<number>, dims: readonly number[], repr = pythonFloatRepr): string {
  if (dims.length === 0) return repr(data[0]!);
  const parts: string[] = [];
  const write = (depth: number, offset: number, stride: number): void => {
    const n = dims[depth]!;
    const inner = stride / n;
    parts.push('[');
    for (let i = 0; i < n; i++) {
      if (i > 0) parts.push(', ');
      if (depth === dims.length - 1) parts.push(repr(data[offset + i]!));
      else write(depth + 1, offset + i * inner, inner);
    }
    parts.push(']');
  };
  write(0, 0, dims.reduce((a, b) => a * b, 1));
  return parts.join('');
}

function isBinary(masks: Tensor | BinaryMasks): masks is BinaryMasks {
  return 'format' in masks;
}

/** A compact binary mask as the 0.0/1.0 floats the runner writes when `return_logits` is false. */
function binaryAsFloats(masks: BinaryMasks): Float32Array {
  const out = new Float32Array(masks.dims[0] * masks.dims[1] * masks.dims[2]);
  for (let i = 0; i < out.length; i++) out[i] = binaryAt(masks, i);
  return out;
}

/**
 * The runner's response body for `response`: `{"masks":"[[[…]]]","scores":"[…]","logits":"[[[…]]]"}`.
 * Compact binary masks are written as 0.0/1.0, as with `return_logits=false`.
 */
export function toGatewayJSON(response: SegmentAnything2Response): string {
  const { masks, scores, logits } = response;
  const maskData = isBinary(masks) ? binaryAsFloats(masks) : masks.data;
  const fields = {
    masks: pythonListRepr(maskData, masks.dims),
    scores: pythonListRepr(scores.data, scores.dims),
    logits: pythonListRepr(logits.data, logits.dims),
  };
  return JSON.stringify(fields);
}

/** Text pieces of `str(nested_list)`, one innermost row at a time (the same text as {@link pythonListRepr}). */
function* pythonListPieces(at: (i: number) => number, dims: readonly number[]): Generator<string> {
  if (dims.length === 0) {
    yield pythonFloatRepr(at(0));
    return;
  }
  const last = dims[dims.length - 1]!;
  const rows = dims.slice(0, -1).reduce((a, b) => a * b, 1);
  if (rows === 0) {
    // An empty leading dimension: no rows to stream.
    yield pythonListRepr([], dims);
    return;
  }
  const row: string[] = new Array<string>(last);
  for (let r = 0; r < rows; r++) {
    // Opening brackets: one per leading dimension whose index restarts at this row.
    let open = '';
    let close = '';
    let stride = 1;
    for (let d = dims.length - 2; d >= 0; d--) {
      if (r % (stride * dims[d]!) === 0) open += '[';
      if ((r + 1) % (stride * dims[d]!) === 0) close += ']';
      stride *= dims[d]!;
    }
    const base = r * last;
    for (let i = 0; i < last; i++) row[i] = pythonFloatRepr(at(base + i));
    yield `${r === 0 ? '' : ', '}${open}[${row.join(', ')}]${close}`;
  }
}

/**
 * {@link toGatewayJSON}'s bytes as a stream, produced on demand about 64 KiB at a time, so that a
 * response of any image size is sent in bounded memory.
 */
export function toGatewayJSONStream(response: SegmentAnything2Response): ReadableStream<Uint8Array> {
  const { masks, scores, logits } = response;
  const maskAt = isBinary(masks) ? (i: number) => binaryAt(masks, i) : (i: number) => masks.data[i]!;
  function* pieces(): Generator<string> {
    yield '{"masks":"';
    yield* pythonListPieces(maskAt, masks.dims);
    yield '","scores":"';
    yield* pythonListPieces((i) => scores.data[i]!, scores.dims);
    yield '","logits":"';
    yield* pythonListPieces((i) => logits.data[i]!, logits.dims);
    yield '"}';
  }
  const it = pieces();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let text = '';
        while (text.length < 65536) {
          const next = it.next();
          if (next.done) {
            if (text) controller.enqueue(encoder.encode(text));
            controller.close();
            return;
          }
          text += next.value;
        }
        controller.enqueue(encoder.encode(text));
      },
      cancel() {
        it.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
