/**
 * Errors in the shape of the Livepeer runner's error bodies (gateway-contract.md §2).
 *
 * `detail` is exactly the `detail` value of the runner's JSON body, so `JSON.stringify(err)` is the
 * body byte for byte. `code` is a stable, closed set that survives the worker boundary.
 */

/** Stable error codes. Each maps to one row of the runner's error table, or to a library-only failure. */
export type SegmentAnything2ErrorCode =
  /** Row 1: a text field over 1 MiB (400, `detail` is a string). */
  | 'PART_TOO_LARGE'
  /** Row 2: FastAPI validation, e.g. a missing image or a bad boolean (422, `detail` is a list). */
  | 'VALIDATION'
  /** Row 4: `model_id` names another model than the one loaded (400). */
  | 'MODEL_MISMATCH'
  /** Row 5a: a prompt field is not valid JSON (400). */
  | 'INVALID_JSON'
  /** Row 5b: a prompt field is a ragged array (400). */
  | 'RAGGED_ARRAY'
  /** Row 6: the image cannot be decoded, or is a decompression bomb (500). */
  | 'IMAGE_DECODE'
  /** Row 7: the prompts cannot be run (wrong shapes, mismatched labels…) (400). */
  | 'INVALID_PROMPT'
  /** The request names an image handle that is not (or no longer) cached (400). */
  | 'NO_IMAGE'
  /** Row 8: out of memory (500). */
  | 'OUT_OF_MEMORY'
  /** The model files could not be loaded, or do not match a known ONNX contract (500). */
  | 'MODEL_LOAD'
  /** An ONNX Runtime failure while running the model (500). */
  | 'INFERENCE'
  /** The operation was cancelled with an AbortSignal. */
  | 'ABORTED'
  /** The segmenter was closed. */
  | 'CLOSED'
  /** The requested backend (e.g. WebGPU) cannot start. */
  | 'BACKEND_UNAVAILABLE'
  /**
   * The GPU device was lost (driver reset, `device.destroy()`, GPU process crash) (500). A worker
   * segmenter starts a new worker on the next call; an in-thread one must be created again.
   */
  | 'DEVICE_LOST';

/** One entry of a FastAPI/pydantic 422 `detail` list. */
export interface ValidationIssue {
  type: 'missing' | 'bool_parsing' | 'value_error' | 'string_type';
  loc: ['body', string];
  msg: string;
  input: unknown;
}

/** The runner's `detail` values: `{msg}` for handled errors, a string for multipart errors, a list for 422. */
export type ErrorDetail = { msg: string } | string | ValidationIssue[];

/** Message used by the runner for errors raised outside its pipeline wrapper (row 6). */
export const PIPELINE_ERROR_MESSAGE = 'Segment-anything-2 pipeline error.';

export class SegmentAnything2Error extends Error {
  override readonly name = 'SegmentAnything2Error';
  readonly status: number;
  readonly code: SegmentAnything2ErrorCode;
  readonly detail: ErrorDetail;

  constructor(init: { status: number; code: SegmentAnything2ErrorCode; detail: ErrorDetail; cause?: unknown }) {
    super(messageOf(init.detail), init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
  }

  /** The runner's response body: `{"detail": …}`. */
  toJSON(): { detail: ErrorDetail } {
    return { detail: this.detail };
  }

  /** True for any value that is a SegmentAnything2Error, also one rebuilt after crossing a worker boundary. */
  static is(value: unknown): value is SegmentAnything2Error {
    return value instanceof SegmentAnything2Error;
  }
}

function messageOf(detail: ErrorDetail): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; ');
  return detail.msg;
}

/** A handled runner error: `{"detail":{"msg": msg}}`. */
export function runnerError(status: number, code: SegmentAnything2ErrorCode, msg: string, cause?: unknown) {
  return new SegmentAnything2Error({ status, code, detail: { msg }, cause });
}

/**
 * Row 7: an exception inside the SAM2 predictor. The runner wraps it as
 * `InferenceError("Error during model execution: <orig>")` and always appends a period.
 */
export function promptError(original: string, cause?: unknown) {
  return runnerError(400, 'INVALID_PROMPT', `Error during model execution: ${original}.`, cause);
}

/** The error for work cancelled through an AbortSignal (or replaced by a newer hover request). */
export function abortedError(reason?: unknown): SegmentAnything2Error {
  const msg = typeof reason === 'string' ? reason : 'The request was aborted.';
  return new SegmentAnything2Error({ status: 499, code: 'ABORTED', detail: { msg }, cause: reason });
}

/** The error for any call on a closed segmenter. */
export function closedError(cause?: unknown): SegmentAnything2Error {
  return new SegmentAnything2Error({ status: 500, code: 'CLOSED', detail: { msg: 'The segmenter is closed.' }, cause });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal.reason);
}
