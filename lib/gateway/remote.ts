/**
 * The remote engine: a {@link Segmenter} that sends each request as multipart to a Livepeer runner
 * (`layer: 'runner'`, FastAPI; or this package's `sam2-web serve`) or gateway (`layer: 'gateway'`,
 * go-livepeer), and gives back the same {@link SegmentAnything2Response} and errors as a local
 * segmenter. The 200 body is parsed as it streams in (see masks-reader.ts).
 */
import { closedError, ERROR_CODES, errorOf, errorWithStatus, type ErrorDetail, type SegmentAnything2Error, type SegmentAnything2ErrorCode } from '../errors.js';
import { sha256Hex } from '../bytes.js';
import { headerSize } from '../image/header.js';
import { fromRaw, isRawImage } from '../image/pixels.js';
import { encodeRgbPng } from '../image/png-encode.js';
import { copyImageBuffers } from '../image/snapshot.js';
import { GATEWAY_DEFAULT_MODEL_ID } from '../models/registry.js';
import { BOOLEAN_FIELDS, PROMPT_FIELDS, flatShape, parseBoolean, type PromptFieldName } from '../pipeline/request.js';
import type { BackendInfo, RemoteOptions, Segmenter } from '../options.js';
import type { ImageHandle, ImageInput, PromptField, RawImage, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from '../types.js';
import { ERROR_CODE_HEADER, SEGMENT_PATH } from './routes.js';
import { readMasksResponse } from './masks-reader.js';


/** The SegmentAnything2Error code for a remote error body, when the server did not name it. */
export function codeOf(status: number, detail: ErrorDetail): SegmentAnything2ErrorCode {
  if (status === 422) return 'VALIDATION';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 503) return 'UNAVAILABLE';
  if (status === 499) return 'ABORTED';
  const msg = typeof detail === 'string' ? detail : Array.isArray(detail) ? '' : detail.msg;
  if (status === 400) {
    if (typeof detail === 'string') return msg.startsWith('Part exceeded maximum size') ? 'PART_TOO_LARGE' : 'MULTIPART';
    if (msg.startsWith('pipeline configured with ')) return 'MODEL_MISMATCH';
    if (msg.startsWith('Error parsing JSON for ')) return 'INVALID_JSON';
    if (msg.startsWith('setting an array element with a sequence')) return 'RAGGED_ARRAY';
    return 'INVALID_PROMPT';
  }
  if (status === 500 && typeof detail === 'object' && !Array.isArray(detail)) {
    if (msg === 'Segment-anything-2 pipeline error.') return 'IMAGE_DECODE';
    if (/out of memory/i.test(msg)) return 'OUT_OF_MEMORY';
    return 'INFERENCE';
  }
  return 'HTTP';
}

const CODES = new Set<string>(Object.keys(ERROR_CODES));

/** The error a non-200 answer stands for, with the remote's status and detail. */
async function remoteError(res: Response): Promise<SegmentAnything2Error> {
  const text = await res.text().then((t) => t.slice(0, 1 << 20)).catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const named = res.headers.get(ERROR_CODE_HEADER);
  let detail: ErrorDetail;
  if (body && typeof body === 'object' && 'detail' in body) {
    detail = (body as { detail: ErrorDetail }).detail;
  } else if (body && typeof body === 'object' && 'error' in body) {
    // go-livepeer: runner 400s arrive as ": <runner msg>"; 500 and 503 are masked.
    const message = String((body as { error: { message?: unknown } }).error?.message ?? '');
    detail = { msg: res.status === 400 && message.startsWith(': ') ? message.slice(2) : message };
  } else {
    detail = text || res.statusText || `HTTP ${res.status}`;
  }
  const code = named && CODES.has(named) ? (named as SegmentAnything2ErrorCode) : codeOf(res.status, detail);
  return errorWithStatus(res.status, code, detail);
}

/** A prompt field as the form's text: strings as they are, arrays and tensors as JSON. */
function promptText(field: PromptFieldName, value: PromptField): string {
  if (typeof value === 'string') return value;
  const num = (x: number) => (Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : String(x));
  const isTensor = (v: unknown): v is { data: ArrayLike<number>; dims: readonly number[] } =>
    typeof v === 'object' && v !== null && 'data' in v && 'dims' in v;
  if (isTensor(value) || ArrayBuffer.isView(value)) {
    const data = isTensor(value) ? value.data : (value as unknown as ArrayLike<number>);
    // A flat typed array takes the shape the local engine gives it (e.g. N×2 points).
    const dims = isTensor(value) ? value.dims : flatShape(field, data.length);
    // float32 values in their shortest float32 digits: exact after the server's float32 cast, and
    // short enough that a 256×256 mask_input stays under the runner's 1 MiB part limit.
    const f32 = data instanceof Float32Array;
    const write = f32 ? (x: number) => (Number.isFinite(x) ? shortestFloat32(x) : num(x)) : num;
    const nest = (depth: number, offset: number): string => {
      const n = dims[depth]!;
      if (depth === dims.length - 1) return `[${Array.from({ length: n }, (_, i) => write(data[offset + i]!)).join(',')}]`;
      const inner = dims.slice(depth + 1).reduce((a, b) => a * b, 1);
      return `[${Array.from({ length: n }, (_, i) => nest(depth + 1, offset + i * inner)).join(',')}]`;
    };
    return dims.length === 0 ? write(data[0]!) : nest(0, 0);
  }
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${num(v)}` : v)).replace(/"\\u0000([^"]*)"/g, '$1');
}

/** The shortest decimal that reads back as the same float32. */
function shortestFloat32(x: number): string {
  for (let p = 1; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

/** Image bytes for the `image` file part. */
async function imageBlob(image: ImageInput): Promise<Blob> {
  if (image instanceof Blob) return image;
  if (image instanceof ArrayBuffer || image instanceof Uint8Array) return new Blob([image as BlobPart]);
  // Raw pixels and ImageData (Node and browsers alike): a lossless RGB PNG, alpha dropped as the engine drops it.
  if (isRawImage(image)) return new Blob([await encodeRgbPng(fromRaw(copyImageBuffers(image)!.image as RawImage))], { type: 'image/png' });
  if (typeof OffscreenCanvas !== 'undefined') {
    // Drawables (ImageBitmap, canvas, <img>): drawn, then sent as a lossless PNG.
    const source = image as { width: number; height: number; naturalWidth?: number; naturalHeight?: number };
    const canvas = new OffscreenCanvas(source.naturalWidth || source.width, source.naturalHeight || source.height);
    canvas.getContext('2d')!.drawImage(image as CanvasImageSource, 0, 0);
    return canvas.convertToBlob({ type: 'image/png' });
  }
  throw errorOf('VALIDATION', [
    {
      type: 'value_error',
      loc: ['body', 'image'],
      msg: 'Value error, a remote segmenter here needs encoded image bytes (a Blob, ArrayBuffer or Uint8Array) or raw pixels ({data, width, height, channels?}).',
      input: null,
    },
  ]);
}

function isHandle(image: unknown): image is ImageHandle {
  return typeof image === 'object' && image !== null && 'id' in image && 'width' in image && !(image instanceof Blob);
}

export interface RemoteSegmenter extends Segmenter {
  /** Keeps `image` under `id`, so that requests naming that handle send these bytes. */
  remember(id: string, image: ImageInput): void;
}

/** A segmenter whose model runs on a Livepeer runner or gateway (or `sam2-web serve`). */
export function createRemoteSegmenter(options: RemoteOptions): RemoteSegmenter {
  const layer = options.layer ?? 'runner';
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const base = String(options.url).replace(/\/+$/, '');
  const endpoint = base.endsWith(SEGMENT_PATH) ? base : base + SEGMENT_PATH;
  const modelId = options.model ?? (layer === 'gateway' ? GATEWAY_DEFAULT_MODEL_ID : '');
  const images = new Map<string, ImageInput>();
  const inFlight = new Set<AbortController>();
  let closed = false;
  let requests = 0;

  async function form(request: SegmentAnything2Request): Promise<FormData> {
    const body = new FormData();
    let image = request.image as ImageInput | ImageHandle | string | undefined;
    if (isHandle(image)) {
      const kept = images.get(image.id);
      if (!kept) throw errorOf('NO_IMAGE', `No image is cached under ${image.id}; call setImage() again.`);
      image = kept;
    }
    if (typeof image === 'string') body.append('image', image); // the runner's 422, from the runner
    else if (image !== undefined && image !== null) body.append('image', await imageBlob(image as ImageInput), 'image');
    const model = request.model_id === undefined || request.model_id === '' ? modelId : request.model_id;
    if (model !== '') body.append('model_id', String(model));
    for (const field of PROMPT_FIELDS) {
      const value = request[field];
      if (value !== undefined && value !== null && value !== '') body.append(field, promptText(field, value));
    }
    for (const field of BOOLEAN_FIELDS) {
      const value = request[field];
      if (value === undefined || value === null || value === '') continue;
      const parsed = layer === 'gateway' ? parseBoolean(value) : undefined;
      body.append(field, parsed === undefined ? String(value) : String(parsed));
    }
    return body;
  }

  const backend: BackendInfo = { device: 'remote', threads: 0, remote: endpoint };

  return {
    modelId,
    backend,
    async segment(request: SegmentAnything2Request, segmentOptions: SegmentOptions = {}): Promise<SegmentAnything2Response> {
      if (closed) throw closedError();
      const controller = new AbortController();
      const onAbort = () => controller.abort(segmentOptions.signal?.reason);
      if (segmentOptions.signal?.aborted) onAbort();
      segmentOptions.signal?.addEventListener('abort', onAbort, { once: true });
      inFlight.add(controller);
      try {
        const body = await form(request);
        const headers: Record<string, string> = { accept: 'application/json' };
        if (options.token) headers.authorization = `Bearer ${options.token}`;
        let res: Response;
        try {
          res = await doFetch(endpoint, { method: 'POST', body, headers, signal: controller.signal });
        } catch (cause) {
          if (controller.signal.aborted) throw errorOf('ABORTED', 'The request was aborted.', cause);
          throw errorWithStatus(502, 'HTTP', { msg: `Could not reach ${endpoint}: ${cause instanceof Error ? cause.message : String(cause)}` }, cause);
        }
        if (res.status !== 200) throw await remoteError(res);
        if (!res.body) throw errorWithStatus(502, 'HTTP', { msg: 'The remote response has no body.' });
        requests++;
        return await readMasksResponse(res.body, segmentOptions.maskFormat);
      } finally {
        inFlight.delete(controller);
        segmentOptions.signal?.removeEventListener('abort', onAbort);
      }
    },
    async segmentObjects(image, prompts, { maskFormat, signal, ...fields } = {}) {
      // The gateway takes one prompt set a request: one request each, in order.
      const out: SegmentAnything2Response[] = [];
      for (const prompt of prompts) out.push(await this.segment({ ...fields, ...prompt, image }, { maskFormat, signal }));
      return out;
    },
    async generateMasks() {
      if (closed) throw closedError();
      throw errorOf('UNSUPPORTED', 'Automatic masks need the low-resolution decoder outputs of every grid point, which the gateway does not return: run generateMasks on a local segmenter.');
    },
    async setImage(image: ImageInput): Promise<ImageHandle> {
      if (closed) throw closedError();
      const blob = await imageBlob(image);
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const id = await sha256Hex(bytes);
      images.set(id, blob);
      const size = headerSize(bytes) ?? { width: 0, height: 0 };
      return { id, ...size };
    },
    remember(id: string, image: ImageInput) {
      images.set(id, image);
    },
    async releaseImage(id: string) {
      return images.delete(id);
    },
    async stats() {
      return { encoderRuns: 0, decoderRuns: requests, cacheHits: 0, cacheMisses: 0, cachedImages: images.size, cachedBytes: 0, cacheBudgetBytes: 0, responseBuffers: { prefaulted: 0, fresh: 0 } };
    },
    async close() {
      closed = true;
      for (const c of inFlight) c.abort('The segmenter was closed.');
      images.clear();
    },
  };
}
