/**
 * toGatewayJSONStream writes exactly toGatewayJSON's bytes in bounded memory, and toGatewayJSON
 * refuses a body past the string limit with a SegmentAnything2Error instead of crashing (issue 12,
 * item 1).
 */
import { describe, expect, it } from 'vitest';
import { SegmentAnything2Error, toGatewayJSON, toGatewayJSONStream } from '../../lib/api.js';
import { gatewayJSONLength, MAX_STRING_LENGTH, pythonFloatRepr } from '../../lib/pipeline/gateway-json.js';
import type { BinaryMasks, SegmentAnything2Response, Tensor } from '../../lib/types.js';

/** An independent writer: Python's str(list) by recursion, then JSON.stringify of the three fields. */
function referenceBody(r: SegmentAnything2Response, maskValues: ArrayLike<number>): string {
  const str = (data: ArrayLike<number>, dims: readonly number[], offset = 0): string => {
    if (dims.length === 0) return pythonFloatRepr(data[offset]!);
    const inner = dims.slice(1).reduce((a, b) => a * b, 1);
    const items = Array.from({ length: dims[0]! }, (_, i) => (dims.length === 1 ? pythonFloatRepr(data[offset + i]!) : str(data, dims.slice(1), offset + i * inner)));
    return `[${items.join(', ')}]`;
  };
  return JSON.stringify({ masks: str(maskValues, r.masks.dims), scores: str(r.scores.data, r.scores.dims), logits: str(r.logits.data, r.logits.dims) });
}

/** A deterministic pseudo-random float32 tensor with values of every magnitude the repr handles. */
function tensor(dims: number[], seed: number): Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const u = x / 2 ** 31;
    data[i] = i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : (u - 0.5) * 10 ** ((i % 13) - 6);
  }
  return { data, dims };
}

function response(c: number, h: number, w: number, seed: number, masks?: BinaryMasks): SegmentAnything2Response {
  return { masks: masks ?? tensor([c, h, w], seed), scores: tensor([c], seed + 1), logits: tensor([c, 256, 256], seed + 2) };
}

/** Reads `stream` to its end, handing each chunk to `onChunk`. */
async function consume(stream: ReadableStream<Uint8Array>, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) onChunk(r.value);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const parts: Uint8Array[] = [];
  await consume(stream, (chunk) => parts.push(chunk));
  return { text: Buffer.concat(parts).toString('utf8'), chunks: parts.length };
}

describe('toGatewayJSONStream', () => {
  const multimask = response(3, 37, 53, 1);
  const single = response(1, 300, 410, 2);
  const cases: Array<[string, SegmentAnything2Response, ArrayLike<number>]> = [
    ['3 logit masks (multimask)', multimask, (multimask.masks as Tensor).data],
    ['1 logit mask (single mask), several chunks', single, (single.masks as Tensor).data],
  ];
  const bits = Uint8Array.from({ length: Math.ceil((3 * 20 * 30) / 8) }, (_, i) => (i * 97) & 255);
  const binary: BinaryMasks = { format: 'bits', data: bits, dims: [3, 20, 30] };
  const binaryValues = Array.from({ length: 3 * 20 * 30 }, (_, i) => (bits[i >> 3]! >> (7 - (i & 7))) & 1);
  cases.push(['0/1 masks from compact bits (return_logits=false)', response(3, 20, 30, 3, binary), binaryValues]);

  it.each(cases)('%s: the same bytes as toGatewayJSON and as an independent writer', async (_, r, maskValues) => {
    const expected = referenceBody(r, maskValues);
    expect(toGatewayJSON(r)).toBe(expected);
    const { text, chunks } = await readAll(toGatewayJSONStream(r));
    expect(text).toBe(expected);
    expect(gatewayJSONLength(r)).toBe(expected.length);
    // Bounded chunks: the body is written piece by piece, not as one string.
    if (expected.length > 1 << 18) expect(chunks).toBeGreaterThan(expected.length / (1 << 17));
  });

  it('writes empty dimensions as Python does', async () => {
    const r: SegmentAnything2Response = { masks: { data: new Float32Array(0), dims: [2, 0, 5] }, scores: { data: new Float32Array(0), dims: [0] }, logits: { data: new Float32Array(0), dims: [2, 3, 0] } };
    const body = '{"masks":"[[], []]","scores":"[]","logits":"[[[], [], []], [[], [], []]]"}';
    expect(toGatewayJSON(r)).toBe(body);
    expect((await readAll(toGatewayJSONStream(r))).text).toBe(body);
  });

  it('stops writing when the reader cancels', async () => {
    const reader = toGatewayJSONStream(single).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value).startsWith('{"masks":"')).toBe(true);
    await reader.cancel();
    expect((await reader.read()).done).toBe(true);
  });
});

describe('a 12 MP response (3 float32 masks of 4000×3000)', () => {
  const W = 4000;
  const H = 3000;
  const big = response(3, H, W, 9);

  it('toGatewayJSON throws BODY_TOO_LARGE pointing to the stream, not a RangeError', () => {
    let error: unknown;
    try {
      toGatewayJSON(big);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SegmentAnything2Error);
    expect(error).toMatchObject({ status: 500, code: 'BODY_TOO_LARGE' });
    expect((error as Error).message).toContain('toGatewayJSONStream');
  });

  it('toGatewayJSON refuses an 8000×8000 response at once, from the bounds alone', () => {
    const huge: SegmentAnything2Response = { ...big, masks: { format: 'uint8', data: new Uint8Array(3 * 8000 * 8000), dims: [3, 8000, 8000] } };
    expect(() => toGatewayJSON(huge)).toThrow(/at least \d+ characters.*toGatewayJSONStream/);
  });

  it('streams the whole body with a heap peak far below the body size', async () => {
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let bytes = 0;
    let head = '';
    let tail = '';
    let count = 0;
    await consume(toGatewayJSONStream(big), (chunk) => {
      if (head.length < 64) head += new TextDecoder().decode(chunk.subarray(0, 64));
      bytes += chunk.length;
      tail = (tail + new TextDecoder().decode(chunk.subarray(-128))).slice(-128);
      if (++count % 64 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    });
    // 36 M values: far more than a JavaScript string can hold.
    expect(bytes).toBeGreaterThan(MAX_STRING_LENGTH);
    expect(head.startsWith(`{"masks":"[[[${pythonFloatRepr((big.masks as Tensor).data[0]!)}, `)).toBe(true);
    expect(tail.endsWith(`${pythonFloatRepr(big.logits.data[3 * 65536 - 1]!)}]]]"}`)).toBe(true);
    // The body is over 512 MiB; the heap never holds more than a small fraction of it.
    console.log(`12 MP body: ${(bytes / 2 ** 20).toFixed(0)} MiB in ${count} chunks; heap peak above baseline ${(peak / 2 ** 20).toFixed(1)} MiB`);
    expect(peak).toBeLessThan(bytes / 4);
    expect(peak).toBeLessThan(160 * 2 ** 20);
  }, 600_000);
});
