/** Byte helpers shared by downloads, the zip reader, the ONNX byte edits and cache keys. */

/** `parts` joined into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Hands each chunk of `reader` to `each` until the stream ends. If reading or `each` throws, the
 * stream is cancelled (freeing what it holds) and the error is rethrown.
 */
export async function forEachChunk(reader: ReadableStreamDefaultReader<Uint8Array>, each: (chunk: Uint8Array) => void): Promise<void> {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      each(value);
    }
  } catch (cause) {
    await reader.cancel().catch(() => {});
    throw cause;
  }
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of `data` through `crypto.subtle` (which reads it in place), as lowercase hex. */
export async function sha256Hex(data: Uint8Array | Uint8ClampedArray): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
}
