/**
 * The runner's 200 body, byte for byte (docs/gateway-contract.md §3): each field is Python's
 * `str(ndarray.tolist())` of float32 values widened to doubles, and the body is compact JSON with
 * the keys in the order masks, scores, logits.
 */
import type { BinaryMasks, SegmentAnything2Response, Tensor } from '../types.js';
import { errorOf, type SegmentAnything2Error } from '../errors.js';
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
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e15) {
    // Well inside both languages' fixed-notation range, JavaScript writes the same shortest digits.
    const s = String(x);
    return Number.isInteger(x) ? `${s}.0` : s;
  }
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

/**
 * `str(nested_list)` of a row-major tensor in pieces of about `chunkChars` characters: whole rows of
 * the last dimension, with the brackets and `", "` separators around them. Memory is one chunk.
 */
function* listChunks(at: (i: number) => number, dims: readonly number[], repr: (x: number) => string, chunkChars: number): Generator<string> {
  const n = dims.length;
  if (n === 0) {
    yield repr(at(0));
    return;
  }
  const width = dims[n - 1]!;
  // span[j]: rows in one list at level j (a product of the dimensions after j, but the last).
  const span = new Array<number>(n - 1);
  let rows = 1;
  for (let j = n - 2; j >= 0; j--) span[j] = rows *= dims[j]!;
  if (rows === 0) {
    // An empty dimension above the rows: no values, only brackets.
    yield emptyListRepr(dims);
    return;
  }
  let buf = '';
  for (let r = 0, i = 0; r < rows; r++) {
    if (r > 0) buf += ', ';
    for (let j = 0; j < n - 1; j++) if (r % span[j]! === 0) buf += '[';
    buf += '[';
    for (let x = 0; x < width; x++, i++) buf += x === 0 ? repr(at(i)) : `, ${repr(at(i))}`;
    buf += ']';
    for (let j = n - 2; j >= 0; j--) if ((r + 1) % span[j]! === 0) buf += ']';
    if (buf.length >= chunkChars) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** `str()` of a nested list with an empty dimension: `[[], []]` for dims [2, 0, 5]. */
function emptyListRepr(dims: readonly number[]): string {
  const write = (depth: number): string => {
    const len = dims[depth]!;
    // The recursion meets a 0 before the last dimension.
    if (len === 0) return '[]';
    return `[${Array.from({ length: len }, () => write(depth + 1)).join(', ')}]`;
  };
  return write(0);
}

/** `str(nested_list)` of a row-major tensor, with `", "` separators at every level. */
export function pythonListRepr(data: ArrayLike<number>, dims: readonly number[], repr = pythonFloatRepr): string {
  return [...listChunks((i) => data[i]!, dims, repr, Infinity)].join('');
}

function isBinary(masks: Tensor | BinaryMasks): masks is BinaryMasks {
  return 'format' in masks;
}

/** The three fields in the runner's key order; compact binary masks read as 0.0/1.0, lazily. */
function fieldsOf(response: SegmentAnything2Response) {
  const { masks, scores, logits } = response;
  const maskAt = isBinary(masks) ? (i: number) => binaryAt(masks, i) : (i: number) => masks.data[i]!;
  return [
    { key: 'masks', at: maskAt, dims: masks.dims },
    { key: 'scores', at: (i: number) => scores.data[i]!, dims: scores.dims },
    { key: 'logits', at: (i: number) => logits.data[i]!, dims: logits.dims },
  ] as const;
}

/**
 * The body in pieces: `{"masks":"`, the masks' list, `","scores":"`… The lists hold only digits,
 * brackets, signs, `.`, `e`, `, `, `nan` and `inf`, so JSON needs no escaping inside the strings.
 */
function* bodyChunks(response: SegmentAnything2Response, chunkChars: number): Generator<string> {
  let sep = '{"';
  for (const { key, at, dims } of fieldsOf(response)) {
    yield `${sep}${key}":"`;
    yield* listChunks(at, dims, pythonFloatRepr, chunkChars);
    sep = '","';
  }
  yield '"}';
}

/** V8's longest string (2^29 - 24 UTF-16 units on 64-bit); other engines allow at least as much. */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/** Characters per chunk of {@link toGatewayJSONStream}. */
const STREAM_CHUNK_CHARS = 1 << 16;

/** Bounds on the body's length without writing it: each value takes 3 to 24 characters. */
function lengthBounds(response: SegmentAnything2Response): { min: number; max: number } {
  let values = 0;
  let rows = 0;
  for (const { dims } of fieldsOf(response)) {
    const size = dims.reduce((a, b) => a * b, 1);
    values += size;
    rows += dims.length === 0 ? 1 : size / Math.max(1, dims[dims.length - 1]!);
  }
  // "0.0" + ", " at least; "-1.4012984643248171e-45" + ", " at most, and brackets around each row.
  return { min: values * 5, max: values * 26 + rows * 2 * 8 + 64 };
}

/**
 * The body's exact length in characters (= UTF-8 bytes: it is ASCII), written and counted in chunks;
 * counting stops as soon as it passes `stopAbove`.
 */
export function gatewayJSONLength(response: SegmentAnything2Response, stopAbove = Infinity): number {
  let length = 0;
  for (const chunk of bodyChunks(response, STREAM_CHUNK_CHARS)) {
    length += chunk.length;
    if (length > stopAbove) break;
  }
  return length;
}

/**
 * The runner's response body for `response`: `{"masks":"[[[…]]]","scores":"[…]","logits":"[[[…]]]"}`.
 * Compact binary masks are written as 0.0/1.0, as with `return_logits=false`.
 *
 * A body longer than a JavaScript string can be (about 12 MP with float32 masks) throws a
 * SegmentAnything2Error (`BODY_TOO_LARGE`) before anything is written: send
 * {@link toGatewayJSONStream} instead, which writes the same bytes in bounded memory.
 */
export function toGatewayJSON(response: SegmentAnything2Response): string {
  const { min, max } = lengthBounds(response);
  if (min > MAX_STRING_LENGTH) throw bodyTooLargeError(min, true);
  if (max > MAX_STRING_LENGTH) {
    const length = gatewayJSONLength(response, MAX_STRING_LENGTH);
    if (length > MAX_STRING_LENGTH) throw bodyTooLargeError(length, true);
  }
  return [...bodyChunks(response, STREAM_CHUNK_CHARS)].join('');
}

/**
 * The bytes of {@link toGatewayJSON} as a stream, written chunk by chunk as the reader pulls (about
 * 64 KiB each), so memory stays bounded whatever the image size. The response is read while the
 * stream is read: do not change or transfer its buffers before the stream ends.
 */
export function toGatewayJSONStream(response: SegmentAnything2Response): ReadableStream<Uint8Array> {
  const chunks = bodyChunks(response, STREAM_CHUNK_CHARS);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      chunks.return(undefined);
    },
  });
}

function bodyTooLargeError(length: number, atLeast: boolean): SegmentAnything2Error {
  return errorOf(
    'BODY_TOO_LARGE',
    `The gateway body would be ${atLeast ? 'at least ' : ''}${length} characters, more than a JavaScript string can hold ` +
      `(${MAX_STRING_LENGTH}). Use toGatewayJSONStream(response), which writes the same bytes as a stream.`,
  );
}
