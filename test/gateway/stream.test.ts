/**
 * toGatewayJSONStream gives toGatewayJSON's bytes; readMasksResponse reads them (and the gateway's
 * reordered, newline-terminated body) back to the exact float32 values, in any chunking.
 */
import { describe, expect, it } from 'vitest';
import { readMasksResponse } from '../../lib/gateway/masks-reader.js';
import { toGatewayJSON, toGatewayJSONStream } from '../../lib/pipeline/gateway-json.js';
import type { SegmentAnything2Response } from '../../lib/types.js';

function response(c: number, h: number, w: number, seed: number): SegmentAnything2Response {
  const values = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * scale * (i % 7 === 0 ? 1e-6 : 1));
  return {
    masks: { data: values(c * h * w, 40), dims: [c, h, w] },
    scores: { data: Float32Array.from({ length: c }, (_, i) => 0.9 - i * 0.2), dims: [c] },
    logits: { data: values(c * 256 * 256, 32), dims: [c, 256, 256] },
  };
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** `s` as a stream of chunks of `size` bytes. */
function chunked(s: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(s);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, (at += size)));
    },
  });
}

describe('toGatewayJSONStream', () => {
  it.each([
    [3, 37, 53],
    [1, 1, 1],
    [1, 300, 2],
  ])('streams toGatewayJSON byte for byte (C=%d, H=%d, W=%d)', async (c, h, w) => {
    const r = response(c, h, w, c + h + w);
    expect(await text(toGatewayJSONStream(r))).toBe(toGatewayJSON(r));
  });

  it('writes compact binary masks as 0.0/1.0, as toGatewayJSON does', async () => {
    const r = response(3, 9, 11, 1);
    const bits = { format: 'bits' as const, data: Uint8Array.from({ length: Math.ceil((3 * 9 * 11) / 8) }, (_, i) => (i * 37) & 255), dims: [3, 9, 11] as [number, number, number] };
    const binary = { ...r, masks: bits };
    expect(await text(toGatewayJSONStream(binary))).toBe(toGatewayJSON(binary));
  });
});

describe('readMasksResponse', () => {
  it('reads the runner body back to the exact float32 tensors, in any chunking', async () => {
    const r = response(3, 21, 17, 5);
    const body = toGatewayJSON(r);
    for (const size of [13, 4096]) {
      const back = await readMasksResponse(chunked(body, size));
      expect(back).toEqual(r);
    }
  });

  it("reads the go-livepeer gateway's key order and trailing newline, and binary forms", async () => {
    const r = response(1, 5, 6, 2);
    const fields = JSON.parse(toGatewayJSON(r)) as Record<string, string>;
    const gateway = `${JSON.stringify({ logits: fields.logits, masks: fields.masks, scores: fields.scores })}\n`;
    expect(await readMasksResponse(chunked(gateway, 100))).toEqual(r);
    const bits = await readMasksResponse(chunked(gateway, 100), 'bits');
    expect(bits.masks).toEqual({ format: 'bits', dims: [1, 5, 6], data: Uint8Array.from([0, 0, 0, 0]).map((_, byte) => {
      let v = 0;
      for (let b = 0; b < 8; b++) if (r.masks.data[byte * 8 + b]! > 0 && byte * 8 + b < 30) v |= 0x80 >> b;
      return v;
    }) });
  });

  it('refuses a body that is not a masks response', async () => {
    await expect(readMasksResponse(chunked('{"masks":"[[1, 2], [3]]","scores":"[1.0]","logits":"[1.0]"}', 5))).rejects.toMatchObject({ code: 'HTTP', status: 502 });
    await expect(readMasksResponse(chunked('{"masks":"[[1.0', 5))).rejects.toMatchObject({ code: 'HTTP' });
  });
});
