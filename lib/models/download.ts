/**
 * Model downloads: streamed `fetch` with byte progress, cancellation, retries with backoff on
 * network failures and 5xx answers (resuming with a Range request where the server allows it), and
 * length and SHA-256 checks before the bytes are handed out. An HTML page where a model file should
 * be (a dev server's or a host's fallback page, sent with 200) counts as "not found": no retries.
 *
 * Progress invariants: `loaded` never decreases, `total` never changes, and the last event has
 * `loaded === total`.
 */
import { concatBytes, forEachChunk, sha256Hex } from '../bytes.js';
import { abortedError, errorOf, errorText, SegmentAnything2Error, throwIfAborted } from '../errors.js';

export interface DownloadProgress {
  /** The URL being downloaded. */
  readonly url: string;
  readonly loaded: number;
  /** The expected size in bytes: the manifest's, else the server's Content-Length; 0 when unknown. */
  readonly total: number;
}

export interface DownloadOptions {
  /** Expected size in bytes; a different length fails the download. */
  readonly bytes?: number;
  /** Expected SHA-256, lowercase hex; a different digest fails the download. */
  readonly sha256?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Further attempts after a network failure or a 5xx answer. @defaultValue 3 */
  readonly retries?: number;
  /** Delay before the first retry, doubled each time. @defaultValue 500 */
  readonly retryDelayMs?: number;
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof fetch;
}

export function downloadError(msg: string, cause?: unknown): SegmentAnything2Error {
  return errorOf('MODEL_LOAD', msg, cause);
}

/** Checks model bytes against an expected size and SHA-256 (each only when given). */
export async function verifyModelBytes(url: string, data: Uint8Array, expected: { bytes?: number; sha256?: string }): Promise<void> {
  if (expected.bytes !== undefined && data.length !== expected.bytes) {
    throw downloadError(`${url} has ${data.length} bytes, expected ${expected.bytes}.`);
  }
  if (expected.sha256) {
    const actual = await sha256Hex(data);
    if (actual !== expected.sha256.toLowerCase()) {
      throw downloadError(`${url} failed its integrity check: SHA-256 ${actual}, expected ${expected.sha256}.`);
    }
  }
}

/** A failure worth another attempt (network error, 5xx), as opposed to a final one (4xx, bad data). */
class Retryable extends Error {}

/** How an HTML page begins (after optional whitespace and a byte-order mark); no model file does. */
const HTML_START = /^(?:\uFEFF)?\s*<(?:!doctype\s+html|html[\s>])/i;

/**
 * A model file that is an HTML page was not found: SPA fallbacks and dev servers answer a missing
 * file with their index page and 200. Known from `Content-Type: text/html` or, failing that, from
 * the first bytes.
 */
function htmlNotFound(url: string, response: Response, firstBytes?: Uint8Array): SegmentAnything2Error | undefined {
  const type = response.headers.get('Content-Type') ?? '';
  const html = /^\s*text\/html\b/i.test(type) || (firstBytes !== undefined && HTML_START.test(new TextDecoder().decode(firstBytes.subarray(0, 64))));
  if (!html) return undefined;
  return downloadError(`Could not fetch ${url}: not found (HTTP ${response.status} answered with an HTML page${type ? `, ${type}` : ''}).`);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(abortedError(signal.reason));
      },
      { once: true },
    );
  });
}

/** Downloads `url` whole, checked; throws MODEL_LOAD (or ABORTED) and keeps nothing on failure. */
export async function downloadModelFile(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const { signal, onProgress, retries = 3, retryDelayMs = 500 } = options;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let total = options.bytes ?? 0;
  let chunks: Uint8Array[] = [];
  let received = 0;
  let reported = 0;
  const report = (loaded: number) => {
    // Monotonic even when a retry has to start over without Range support.
    if (loaded <= reported && reported !== 0) return;
    reported = loaded;
    onProgress?.({ url, loaded, total });
  };

  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal);
    try {
      const headers: Record<string, string> = received > 0 ? { Range: `bytes=${received}-` } : {};
      let response: Response;
      try {
        response = await doFetch(url, { signal, headers, cache: 'no-store' });
      } catch (cause) {
        if (signal?.aborted) throw abortedError(signal.reason);
        throw new Retryable(`Could not fetch ${url}: ${errorText(cause)}`);
      }
      if (response.status >= 500) throw new Retryable(`Could not fetch ${url}: HTTP ${response.status}`);
      if (!response.ok) throw downloadError(`Could not fetch ${url}: HTTP ${response.status} ${response.statusText}`.trim());
      const notFound = htmlNotFound(url, response);
      if (notFound) {
        await response.body?.cancel().catch(() => undefined);
        throw notFound;
      }
      if (received > 0 && response.status !== 206) {
        chunks = []; // the server ignored the Range request: start over
        received = 0;
      }
      if (total === 0) total = Number(response.headers.get('Content-Length') ?? 0) + received;
      if (attempt === 0) report(0);
      const reader = response.body?.getReader();
      if (!reader) throw downloadError(`The response for ${url} has no body.`);
      try {
        await forEachChunk(reader, (chunk) => {
          if (received === 0) {
            const page = htmlNotFound(url, response, chunk);
            if (page) throw page; // forEachChunk cancels the stream
          }
          chunks.push(chunk);
          received += chunk.length;
          if (total > 0 && received > total) throw downloadError(`${url} is longer than the expected ${total} bytes.`);
          report(received);
        });
      } catch (cause) {
        if (signal?.aborted) throw abortedError(signal.reason);
        if (cause instanceof SegmentAnything2Error) throw cause;
        throw new Retryable(`The download of ${url} broke off after ${received} bytes: ${errorText(cause)}`);
      }
      if (total > 0 && received !== total) throw new Retryable(`${url} ended after ${received} of ${total} bytes.`);
      break;
    } catch (e) {
      if (!(e instanceof Retryable)) throw e;
      if (attempt >= retries) throw downloadError(`${e.message} (after ${attempt + 1} attempts)`);
      await sleep(retryDelayMs * 2 ** attempt, signal);
    }
  }

  const data = concatBytes(chunks);
  // The length was checked while streaming; the digest needs the whole file.
  await verifyModelBytes(url, data, { sha256: options.sha256 });
  if (total === 0) {
    total = received;
    report(received);
  }
  return data;
}
