/**
 * `createGatewayHandler`: a fetch-style `(Request) => Promise<Response>` that answers as the
 * runner's container does (docs/gateway-contract.md §1–3): `POST /segment-anything-2` (and the hidden
 * `/segment-anything-2/`), `GET /health`, FastAPI's 404/405 elsewhere. Runs wherever `Request`
 * and `Response` exist: Node's http server (see `sam2-web serve`), a service worker, Deno, Bun.
 *
 * The runner's check order: form parsing (400, detail a string), validation (422), bearer token
 * (401), then `model_id`, the JSON prompt fields, the image and the model (the segmenter's own
 * checks). A 200 body is streamed, so an image of any size is answered in bounded memory.
 */
import { errorOf, SegmentAnything2Error, type ValidationIssue } from '../errors.js';
import { toGatewayJSONStream } from '../pipeline/gateway-json.js';
import { validate } from '../pipeline/request.js';
import type { Segmenter } from '../options.js';
import type { SegmentAnything2Request } from '../types.js';
import { bodyTooLarge, readGatewayForm, type GatewayForm } from './multipart.js';
import { ERROR_CODE_HEADER, SEGMENT_PATH } from './routes.js';

export interface GatewayHandlerOptions {
  /** The runner's `AUTH_TOKEN`: requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest request body read, in bytes (413 past it; the runner has no limit). @defaultValue 64 MiB */
  maxBodyBytes?: number;
  /** A path prefix the routes live under, e.g. `/api/beta/generate`. @defaultValue `''` */
  basePath?: string;
}


const JSON_TYPE = { 'content-type': 'application/json' };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_TYPE, ...headers } });
}

/** The runner's body for `e`, with its status, and the error code in {@link ERROR_CODE_HEADER}. */
export function errorResponse(e: SegmentAnything2Error, headers: Record<string, string> = {}): Response {
  return json(e.status, e.toJSON(), { [ERROR_CODE_HEADER]: e.code, ...headers });
}

/** Starlette's `ServerErrorMiddleware` answer to an unexpected exception. */
function internalError(): Response {
  return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** `HTTPBearer(auto_error=False)`: the credentials of an `Authorization: Bearer …` header. */
function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  return header.slice(space + 1);
}

/** Compares in time independent of where the strings first differ. */
function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** The route's form fields in declaration order (FastAPI lists 422 issues in this order). */
const FIELD_ORDER = ['image', 'model_id', 'point_coords', 'point_labels', 'box', 'mask_input', 'multimask_output', 'return_logits', 'normalize_coords'];
/** The route's `str` form fields: a file part sent for one is pydantic's `string_type`. */
const STRING_FIELDS = new Set(['model_id', 'point_coords', 'point_labels', 'box', 'mask_input']);

/**
 * The form as a library request: files become Blobs, text stays text (so a text `image` is a 422),
 * checked as FastAPI validates the route's form (row 2). A file sent for a `str` field is a
 * `string_type` issue; its `input` is the upload's file name (FastAPI would serialise the
 * `UploadFile` object, a body docs/gateway-contract.md does not pin).
 */
function validatedRequest(form: GatewayForm): SegmentAnything2Request {
  const request: Record<string, unknown> = {};
  const issues: ValidationIssue[] = [];
  for (const [name, value] of form) {
    if (typeof value === 'string') request[name] = value;
    else if (STRING_FIELDS.has(name)) issues.push({ type: 'string_type', loc: ['body', name], msg: 'Input should be a valid string', input: { filename: value.filename } });
    else request[name] = value.blob;
  }
  try {
    validate(request as unknown as SegmentAnything2Request);
  } catch (e) {
    if (!SegmentAnything2Error.is(e) || e.code !== 'VALIDATION' || !Array.isArray(e.detail)) throw e;
    issues.push(...e.detail);
  }
  if (issues.length > 0) {
    const rank = (i: ValidationIssue) => FIELD_ORDER.indexOf(i.loc[1]);
    throw errorOf('VALIDATION', issues.sort((a, b) => rank(a) - rank(b)));
  }
  return request as unknown as SegmentAnything2Request;
}

/** Answers gateway requests with `segmenter`, exactly as the runner's container does. */
export function createGatewayHandler(
  segmenter: Pick<Segmenter, 'segment'>,
  options: GatewayHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const unauthorized = errorOf('UNAUTHORIZED', 'Invalid bearer token.');

  async function segment(request: Request): Promise<Response> {
    const length = Number(request.headers.get('content-length') ?? NaN);
    if (length > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
    const fields = validatedRequest(await readGatewayForm(request, maxBodyBytes)); // row 2: a 422 comes before the token check
    if (options.token !== undefined && options.token !== '') {
      const token = bearerToken(request);
      if (token === undefined || !sameToken(token, options.token)) return errorResponse(unauthorized, { 'www-authenticate': 'Bearer' });
    }
    const response = await segmenter.segment(fields, { signal: request.signal });
    return new Response(toGatewayJSONStream(response), { status: 200, headers: JSON_TYPE });
  }

  return async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const route = base && path.startsWith(base) ? path.slice(base.length) : base ? undefined : path;
    const allowed = route === SEGMENT_PATH || route === `${SEGMENT_PATH}/` ? 'POST' : route === '/health' ? 'GET' : undefined;
    if (allowed === undefined) return json(404, { detail: 'Not Found' });
    if (request.method !== allowed) return json(405, { detail: 'Method Not Allowed' }, { allow: allowed });
    if (allowed === 'GET') return json(200, { status: 'OK' });
    try {
      return await segment(request);
    } catch (e) {
      if (SegmentAnything2Error.is(e)) return errorResponse(e);
      return internalError();
    }
  };
}
