/**
 * Prompts too large for memory, on the real embedded model in Node (`worker: false`, wasm): the
 * runner's out-of-memory 500, no onnxruntime text, and the process's memory back where it was
 * (issue 12, item 6). Before the guard, 10,000 points left the process at 3.7 GB RSS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, SegmentAnything2Error, toGatewayJSON, type Segmenter } from '../../lib/node.js';
import { drawImage, texture } from '../helpers.js';

const W = 64;
const H = 48;
const image = drawImage(W, H, texture);
const valid = { image, point_coords: '[[20,20]]', point_labels: '[1]' };
const points = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => [i % W, (i * 7) % H]));
const ones = (n: number) => JSON.stringify(new Array<number>(n).fill(1));
const MIB = 2 ** 20;

let segmenter: Segmenter;
let baseline: string;
beforeAll(async () => {
  segmenter = await createSegmenter({ worker: false });
  baseline = toGatewayJSON(await segmenter.segment(valid));
}, 300_000);
afterAll(() => segmenter?.close());

describe('resource exhaustion (embedded model, wasm)', () => {
  it.each([10_000, 100_000])('%d points: the runner\'s out-of-memory 500, and RSS returns to its level', async (n) => {
    const request = { image, point_coords: points(n), point_labels: ones(n) };
    const before = process.memoryUsage().rss;
    const error = await segmenter.segment(request).catch((e: unknown) => e);
    const after = process.memoryUsage().rss;
    expect(error).toBeInstanceOf(SegmentAnything2Error);
    expect(error).toMatchObject({ status: 500, code: 'OUT_OF_MEMORY' });
    expect(JSON.stringify(error)).toBe('{"detail":{"msg":"Out of memory error. Try reducing input image resolution."}}');
    console.log(`${n} points: RSS ${(before / MIB).toFixed(0)} MiB before, ${(after / MIB).toFixed(0)} MiB after`);
    // The request's JSON text and parsed arrays are a few MB; the decoder's 6+ GB never start.
    expect(after - before).toBeLessThan(128 * MIB);
    // The segmenter still answers from its cached embedding, byte for byte.
    expect(toGatewayJSON(await segmenter.segment(valid))).toBe(baseline);
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 1 });
  });
});
