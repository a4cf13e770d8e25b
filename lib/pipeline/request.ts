/**
 * Request parsing in the runner's order (docs/gateway-contract.md §1, §2.1): part size (row 1), FastAPI
 * validation (row 2), `model_id` (row 4), then the JSON prompt fields in the order point_coords,
 * point_labels, box, mask_input (row 5). Image decoding (row 6) and prompt checks (row 7) come later.
 */
import { errorOf, internalServerError, promptError, type ValidationIssue } from '../errors.js';
import type { BooleanField, ImageHandle, ImageInput, PromptField, SegmentAnything2Request } from '../types.js';
import { RaggedArrayError, toNdArray, type NdArray } from './ndarray.js';
import { PyJSONDecodeError, pyJsonLoads, PyRecursionError } from './pyjson.js';

/** Starlette 0.41's limit on one non-file form part. */
export const MAX_PART_BYTES = 1024 * 1024;

export const PROMPT_FIELDS = ['point_coords', 'point_labels', 'box', 'mask_input'] as const;
export type PromptFieldName = (typeof PROMPT_FIELDS)[number];

export const BOOLEAN_FIELDS = ['multimask_output', 'return_logits', 'normalize_coords'] as const;
export type BooleanFieldName = (typeof BOOLEAN_FIELDS)[number];

/** The runner's defaults: all three booleans default to true. */
export const BOOLEAN_DEFAULTS: Readonly<Record<BooleanFieldName, boolean>> = {
  multimask_output: true,
  return_logits: true,
  normalize_coords: true,
};

/** A request after rows 1–5: prompt fields are numpy-like arrays, booleans are booleans. */
export interface ParsedRequest extends Record<BooleanFieldName, boolean> {
  readonly image: ImageInput | ImageHandle;
  readonly point_coords?: NdArray;
  readonly point_labels?: NdArray;
  readonly box?: NdArray;
  readonly mask_input?: NdArray;
}

const TRUE_WORDS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_WORDS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** pydantic's lax bool; `undefined` for anything it would reject. */
export function parseBoolean(value: BooleanField): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value === 'string') {
    const word = value.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return undefined;
}

/** "Not sent": absent, null, or the empty string (FastAPI treats an empty form value as missing). */
function isAbsent(v: unknown): v is undefined | null | '' {
  return v === undefined || v === null || v === '';
}

const utf8 = new TextEncoder();

function checkPartSizes(request: SegmentAnything2Request): void {
  for (const [key, value] of Object.entries(request)) {
    if (key === 'image' || typeof value !== 'string') continue;
    // Byte length without encoding when it cannot matter (a UTF-16 unit is at most 3 UTF-8 bytes).
    if (value.length * 3 <= MAX_PART_BYTES) continue;
    if (utf8.encode(value).length > MAX_PART_BYTES) {
      throw errorOf('PART_TOO_LARGE', 'Part exceeded maximum size of 1024KB.');
    }
  }
}

export function validate(request: SegmentAnything2Request): Record<BooleanFieldName, boolean> {
  const issues: ValidationIssue[] = [];
  const image = request.image as unknown;
  if (isAbsent(image)) {
    issues.push({ type: 'missing', loc: ['body', 'image'], msg: 'Field required', input: null });
  } else if (typeof image === 'string' || typeof image === 'number' || typeof image === 'boolean') {
    issues.push({
      type: 'value_error',
      loc: ['body', 'image'],
      msg: "Value error, Expected UploadFile, received: <class 'str'>",
      input: String(image),
    });
  }
  const modelId = request.model_id as unknown;
  if (!isAbsent(modelId) && typeof modelId !== 'string') {
    // pydantic's str field; a JavaScript caller can pass anything here.
    const input = typeof modelId === 'number' || typeof modelId === 'boolean' ? modelId : Object.prototype.toString.call(modelId);
    issues.push({ type: 'string_type', loc: ['body', 'model_id'], msg: 'Input should be a valid string', input });
  }
  const booleans = { ...BOOLEAN_DEFAULTS };
  for (const field of BOOLEAN_FIELDS) {
    const raw = request[field];
    if (isAbsent(raw)) continue;
    const parsed = parseBoolean(raw);
    if (parsed === undefined) {
      issues.push({
        type: 'bool_parsing',
        loc: ['body', field],
        msg: 'Input should be a valid boolean, unable to interpret input',
        input: raw,
      });
    } else booleans[field] = parsed;
  }
  if (issues.length > 0) throw errorOf('VALIDATION', issues);
  return booleans;
}

function isTensorLike(v: unknown): v is { data: ArrayLike<number>; dims: readonly number[] } {
  return typeof v === 'object' && v !== null && 'data' in v && 'dims' in v && Array.isArray((v as { dims: unknown }).dims);
}

/** The shape a flat typed array takes for each field, mirroring the JSON forms' usual nesting. */
export function flatShape(field: PromptFieldName, length: number): number[] {
  switch (field) {
    case 'point_coords':
      return length % 2 === 0 ? [length / 2, 2] : [length];
    case 'mask_input':
      return length === 256 * 256 ? [1, 256, 256] : [length];
    default:
      return [length];
  }
}

function fromFlat(field: PromptFieldName, data: ArrayLike<number>, shape: readonly number[]): NdArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw promptError(`${field} has dims [${shape.join(', ')}], which need ${size} values, but holds ${data.length}`);
  }
  const values = Float64Array.from(data);
  const floatStorage = data instanceof Float32Array || data instanceof Float64Array;
  return { shape: [...shape], data: values, kind: !floatStorage && values.every(Number.isInteger) ? 'int' : 'float' };
}

/** `json_str_to_np_array` for one field, extended to arrays and typed arrays. */
export function parsePromptField(field: PromptFieldName, value: PromptField): NdArray {
  if (typeof value === 'string') {
    let parsed;
    try {
      parsed = pyJsonLoads(value);
    } catch (e) {
      if (e instanceof PyJSONDecodeError) {
        throw errorOf('INVALID_JSON', `Error parsing JSON for ${field}: ${e.message}`, e);
      }
      // Not a ValueError: the route lets it through and Starlette answers 500.
      if (e instanceof PyRecursionError) throw internalServerError(e);
      throw e;
    }
    return ndArrayOrRagged(parsed);
  }
  if (isTensorLike(value)) return fromFlat(field, value.data, value.dims);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const flat = value as unknown as ArrayLike<number>;
    return fromFlat(field, flat, flatShape(field, flat.length));
  }
  return ndArrayOrRagged(value);
}

function ndArrayOrRagged(value: unknown): NdArray {
  try {
    return toNdArray(value);
  } catch (e) {
    // numpy's ValueError propagates as is and the route turns it into a 400 with the raw message.
    if (e instanceof RaggedArrayError) throw errorOf('RAGGED_ARRAY', e.message, e);
    throw e;
  }
}

/**
 * Rows 1, 2, 4 and 5 of the runner's checks, in its order.
 * @param loadedModelId the id of the model this segmenter runs; `model_id` must be `""` or this.
 */
export function parseRequest(request: SegmentAnything2Request, loadedModelId: string): ParsedRequest {
  if (typeof request !== 'object' || request === null) {
    throw errorOf('VALIDATION', [{ type: 'missing', loc: ['body', 'image'], msg: 'Field required', input: null }]);
  }
  checkPartSizes(request);
  const booleans = validate(request);
  const modelId = request.model_id;
  if (!isAbsent(modelId) && modelId !== loadedModelId) {
    throw errorOf('MODEL_MISMATCH', `pipeline configured with ${loadedModelId} but called with ${String(modelId)}.`);
  }
  const prompts: Partial<Record<PromptFieldName, NdArray>> = {};
  for (const field of PROMPT_FIELDS) {
    const raw = request[field];
    if (!isAbsent(raw)) prompts[field] = parsePromptField(field, raw);
  }
  return { image: request.image, ...booleans, ...prompts };
}
