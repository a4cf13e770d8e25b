/**
 * The runner's form parsing (Starlette 0.41 `MultiPartParser` under FastAPI 0.115;
 * docs/gateway-contract.md §1–2 row 1), on Web Streams so that it runs in browsers, service workers and
 * Node alike. The byte-level multipart parsing is `@remix-run/multipart-parser`; the rules are
 * Starlette's:
 *
 * - a part is a file when its Content-Disposition has a `filename` parameter (even empty), else a
 *   text field, whatever its Content-Type;
 * - at most 1000 text fields and 1000 files, each limit checked when a part's headers end;
 * - at most 1 MiB per text field (files are limited only by the body limit);
 * - a part without a `name` is an error; the last of repeated fields wins (FastAPI reads forms with
 *   `FormData.get`);
 * - a body that is not `multipart/form-data` is an empty form (so the image is "missing", a 422);
 * - a body cut short keeps the parts that were complete (python-multipart's `finalize()` checks
 *   nothing).
 *
 * `Request.formData()` is not used: it buffers the whole body with no per-part or count limits,
 * and on some platforms it cannot tell a part with `filename=""` from a text field.
 */
import { MultipartParseError, MultipartParser } from '@remix-run/multipart-parser';
import { errorOf, errorWithStatus, SegmentAnything2Error } from '../errors.js';
import { MAX_PART_BYTES } from '../pipeline/request.js';

/** Starlette's default `max_files` and `max_fields`. */
export const MAX_FORM_FILES = 1000;
export const MAX_FORM_FIELDS = 1000;

/** A parsed form: text fields as strings, files as Blobs (with the part's Content-Type). */
export type GatewayForm = Map<string, string | GatewayFile>;

export interface GatewayFile {
  readonly filename: string;
  readonly blob: Blob;
}

function formError(detail: string, code: 'MULTIPART' | 'PART_TOO_LARGE' = 'MULTIPART'): SegmentAnything2Error {
  return errorOf(code, detail);
}

/** FastAPI's answer when the form parser fails with anything but Starlette's own exceptions. */
export const BODY_PARSE_ERROR = 'There was an error parsing the body';

/** `multipart/form-data` boundary from a Content-Type value, or undefined when it is another type. */
function boundaryOf(contentType: string | null): string | null | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(';');
  if (type!.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    const value = p.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return null;
}

/** Content-Disposition `name` and whether a `filename` parameter is present (Starlette's test). */
function disposition(header: string | undefined): { name?: string; filename?: string } {
  const out: { name?: string; filename?: string } = {};
  if (!header) return out;
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const key = m[1]!.toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim();
    if (key === 'name') out.name = value;
    else if (key === 'filename') out.filename = value;
    else if (key === 'filename*' && out.filename === undefined) out.filename = value.replace(/^[^']*'[^']*'/, '');
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Starlette's `_user_safe_decode`: UTF-8, or Latin-1 when the bytes are not UTF-8. */
function safeDecode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/**
 * Reads `request`'s body as the runner's form. Rejects with the runner's 400 (`detail` a string)
 * for the row-1 failures; `maxBodyBytes` bounds the bytes read (413 past it).
 */
export async function readGatewayForm(request: Request, maxBodyBytes: number): Promise<GatewayForm> {
  const form: GatewayForm = new Map();
  const boundary = boundaryOf(request.headers.get('content-type'));
  if (boundary === undefined || !request.body) return form;
  if (boundary === null || boundary === '') throw formError('Missing boundary in multipart.');
  const parser = new MultipartParser(boundary, {
    maxParts: Infinity,
    maxFileSize: maxBodyBytes,
    maxTotalSize: maxBodyBytes,
    maxHeaderSize: 64 * 1024,
  });
  let fields = 0;
  let files = 0;
  const reader = request.body.getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
      if (read > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
      for (const part of parser.write(value)) {
        const { name, filename } = disposition(part.headers['content-disposition']);
        if (name === undefined) throw formError('The Content-Disposition header field "name" must be provided.');
        if (filename !== undefined) {
          if (++files > MAX_FORM_FILES) throw formError(`Too many files. Maximum number of files is ${MAX_FORM_FILES}.`);
          form.set(name, { filename, blob: new Blob(part.content as BlobPart[], { type: part.headers['content-type'] ?? '' }) });
        } else {
          if (++fields > MAX_FORM_FIELDS) throw formError(`Too many fields. Maximum number of fields is ${MAX_FORM_FIELDS}.`);
          if (part.size > MAX_PART_BYTES) throw formError('Part exceeded maximum size of 1024KB.', 'PART_TOO_LARGE');
          form.set(name, safeDecode(part.bytes));
        }
      }
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    if (e instanceof SegmentAnything2Error) throw e;
    if (e instanceof MultipartParseError) throw formError(BODY_PARSE_ERROR);
    throw e;
  }
  try {
    parser.finish();
  } catch {
    // A body cut short: the complete parts stand, as in python-multipart.
  }
  return form;
}

export function bodyTooLarge(limit: number): SegmentAnything2Error {
  return errorWithStatus(413, 'HTTP', `Request body exceeds the server's limit of ${limit} bytes.`);
}
