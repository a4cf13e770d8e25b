/**
 * Errors in the shape of the Livepeer runner's error bodies (docs/gateway-contract.md §2).
 *
 * `detail` is exactly the `detail` value of the runner's JSON body, so `JSON.stringify(err)` is the
 * body byte for byte. `code` is a stable, closed set that survives the worker boundary.
 */

/**
 * The error table: every code with its HTTP status and meaning. The runner's rows (docs/gateway-contract.md
 * §2.1) keep the runner's status; the others are this library's own. The README's error list is
 * checked against this table (test/errors.test.ts).
 */
export const ERROR_CODES = {
  PART_TOO_LARGE: { status: 400, meaning: 'A text field is over 1 MiB (runner row 1; `detail` is a string).' },
  MULTIPART: { status: 400, meaning: 'A malformed multipart body, or more than 1000 fields or 1000 files (runner row 1; `detail` is a string).' },
  VALIDATION: { status: 422, meaning: 'FastAPI validation: a missing or non-file image, a bad boolean, a non-string `model_id` (runner row 2; `detail` is a list).' },
  UNAUTHORIZED: { status: 401, meaning: 'The server has a token and the bearer token is missing or wrong (runner row 3).' },
  MODEL_MISMATCH: { status: 400, meaning: '`model_id` names another model than the one loaded, or an unknown id is asked of `createSegmenter` (runner row 4).' },
  INVALID_JSON: { status: 400, meaning: 'A prompt field is not valid JSON (runner row 5a).' },
  RAGGED_ARRAY: { status: 400, meaning: "A prompt field is a ragged array, or nested deeper than numpy's 32 dimensions (runner row 5b, numpy's message)." },
  IMAGE_DECODE: { status: 500, meaning: 'The image bytes cannot be decoded, or declare more than 2 × 89,478,485 pixels (runner row 6).' },
  IMAGE_VALUE_ERROR: { status: 400, meaning: "Pillow raises ValueError on the image bytes (a PPM sample above its maxval, an RLE bitmap that ends early): the route's ValueError rule, 400 with its default message." },
  INVALID_IMAGE: { status: 400, meaning: 'The `image` value is no image this library reads: raw pixels of the wrong size, or an unsupported object.' },
  NO_IMAGE: { status: 400, meaning: '`image` is a handle whose image is not (or no longer) cached: send the image again.' },
  INVALID_PROMPT: { status: 400, meaning: 'The prompts cannot be run: wrong shapes, labels missing, non-finite numbers (runner row 7).' },
  INFERENCE: { status: 400, meaning: 'ONNX Runtime failed while running the model (runner row 7: `Error during model execution: …`).' },
  OUT_OF_MEMORY: { status: 500, meaning: 'Out of memory while running the model, or prompts whose decoder run cannot fit in memory (runner row 8).' },
  BODY_TOO_LARGE: { status: 500, meaning: '`toGatewayJSON`: the body is longer than a JavaScript string can hold; `toGatewayJSONStream` writes it.' },
  INTERNAL: {
    status: 500,
    meaning: "An exception the runner's route does not catch, such as Python's RecursionError on JSON nested about 1000 deep (runner row 9: its body is text/plain `Internal Server Error`, which is `detail`).",
  },
  MODEL_LOAD: { status: 500, meaning: 'The model files could not be read, downloaded or checked, or match no known ONNX contract.' },
  MODEL_CONTRACT: { status: 500, meaning: 'A loaded model returned outputs that break its ONNX contract (names, types or shapes) at run time.' },
  ABORTED: { status: 499, meaning: 'The call was cancelled through its AbortSignal, or replaced by a newer hover request.' },
  CLOSED: { status: 500, meaning: 'The segmenter was closed, or its worker stopped.' },
  UNSUPPORTED: { status: 501, meaning: 'This engine cannot do what was asked: automatic masks on the remote engine (the gateway has no such route).' },
  BACKEND_UNAVAILABLE: { status: 500, meaning: "The requested backend cannot start (`device: 'webgpu'` without WebGPU, a worker where there is none)." },
  DEVICE_LOST: {
    status: 500,
    meaning: 'The GPU device was lost; a worker segmenter starts a new worker on the next call, an in-thread one must be created again.',
  },
  UNAVAILABLE: { status: 503, meaning: "A server or gateway cannot take the request now: a full queue, a shutdown, a gateway's 503." },
  HTTP: { status: 500, meaning: 'An HTTP answer that is not the runner\'s: 404, 405, 413, or a remote answer with no runner body (the status is the answer\'s).' },
} as const satisfies Record<string, { readonly status: number; readonly meaning: string }>;

/** Stable error codes: the keys of {@link ERROR_CODES}. They survive the worker boundary. */
export type SegmentAnything2ErrorCode = keyof typeof ERROR_CODES;

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

/** Codes whose `detail` is a bare string, as Starlette sends it. */
const STRING_DETAIL: ReadonlySet<SegmentAnything2ErrorCode> = new Set(['PART_TOO_LARGE', 'MULTIPART', 'INTERNAL']);

/**
 * The one factory: an error of `code`, with the table's status. A string is the runner's
 * `{"detail":{"msg": …}}`, except for `PART_TOO_LARGE` and `INTERNAL`, whose `detail` is the string itself; a list
 * is a 422's `detail`.
 */
export function errorOf(code: SegmentAnything2ErrorCode, detail: string | ValidationIssue[], cause?: unknown): SegmentAnything2Error {
  // Starlette's form errors (row 1) are bare strings, and so is the text of Starlette's plain 500; every other handled error is `{msg}`.
  const body: ErrorDetail = typeof detail !== 'string' || STRING_DETAIL.has(code) ? detail : { msg: detail };
  return new SegmentAnything2Error({ status: ERROR_CODES[code].status, code, detail: body, cause });
}

/**
 * Row 7: an exception inside the SAM2 predictor. The runner wraps it as
 * `InferenceError("Error during model execution: <orig>")` and always appends a period.
 */
/**
 * An error whose status is not the table's: a remote server's answer (kept as it came), or an HTTP
 * refusal of this library's server (404, 405, 413) or client (502: a remote that cannot be read).
 */
export function errorWithStatus(status: number, code: SegmentAnything2ErrorCode, detail: ErrorDetail, cause?: unknown): SegmentAnything2Error {
  return new SegmentAnything2Error({ status, code, detail, cause });
}

export function promptError(original: string, cause?: unknown) {
  return errorOf('INVALID_PROMPT', `Error during model execution: ${original}.`, cause);
}

/** Row 8: the runner's answer to an allocation failure. */
export function outOfMemoryError(cause?: unknown): SegmentAnything2Error {
  return errorOf('OUT_OF_MEMORY', 'Out of memory error. Try reducing input image resolution.', cause);
}

/** Row 9: Starlette's `ServerErrorMiddleware` answer, a `text/plain` body `Internal Server Error`. */
export function internalServerError(cause?: unknown): SegmentAnything2Error {
  return errorOf('INTERNAL', 'Internal Server Error', cause);
}

/** The error for work cancelled through an AbortSignal (or replaced by a newer hover request). */
export function abortedError(reason?: unknown): SegmentAnything2Error {
  const msg = typeof reason === 'string' ? reason : 'The request was aborted.';
  return errorOf('ABORTED', msg, reason);
}

/** The error for any call on a closed segmenter. */
export function closedError(cause?: unknown): SegmentAnything2Error {
  return errorOf('CLOSED', 'The segmenter is closed.', cause);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal.reason);
}

/** A lost GPU device: every later call fails with this. */
export function deviceLostError(reason: string, cause?: unknown): SegmentAnything2Error {
  return errorOf('DEVICE_LOST', `The GPU device was lost (${reason}).`, cause);
}

/** An error's message, whatever was thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
