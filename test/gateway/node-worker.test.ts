/**
 * Node runs the engine in a worker_threads worker by default (issue 12 item 7): the event loop keeps
 * turning during an encode of the embedded model, results equal the in-thread engine's byte for
 * byte, errors keep status/code/detail, and `worker: false` is still there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, SegmentAnything2Error, toGatewayJSON, type Segmenter } from '../../lib/node.js';
import { drawImage, texture } from '../helpers.js';
import { fixtureModel } from '../fixtures/models.js';

const fixture = () => fixtureModel('sam2');
const image = drawImage(96, 64, texture);
const request = { point_coords: '[[40,30]]', point_labels: '[1]' };

/** Runs `work` while a 10 ms interval ticks; returns the ticks seen and the longest gap between them. */
async function ticksDuring(work: () => Promise<unknown>): Promise<{ ticks: number; maxGapMs: number }> {
  let ticks = 0;
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  maxGapMs = Math.max(maxGapMs, performance.now() - last);
  return { ticks, maxGapMs };
}

describe('Node worker thread (default)', () => {
  let inWorker: Segmenter;
  let inThread: Segmenter;
  beforeAll(async () => {
    [inWorker, inThread] = await Promise.all([createSegmenter({ model: fixture() }), createSegmenter({ worker: false, model: fixture() })]);
  });
  afterAll(async () => {
    await Promise.all([inWorker?.close(), inThread?.close()]);
  });

  it('answers byte-identically to worker: false', async () => {
    const a = await inWorker.segment({ image, ...request });
    const b = await inThread.segment({ image, ...request });
    expect(toGatewayJSON(a)).toBe(toGatewayJSON(b));
    expect(inWorker.modelId).toBe('fixture/sam2');
  });

  it('keeps status, code and detail of errors across the thread boundary', async () => {
    const err = (await inWorker.segment({ image, point_coords: '[[1,', point_labels: '[1]' }).catch((e: unknown) => e)) as SegmentAnything2Error;
    expect(err).toBeInstanceOf(SegmentAnything2Error);
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: 'INVALID_JSON' });
    expect(err.detail).toEqual({ msg: 'Error parsing JSON for point_coords: Expecting value: line 1 column 5 (char 4)' });
  });

  it('rejects with CLOSED after close()', async () => {
    const s = await createSegmenter({ model: fixture() });
    await s.close();
    const err = (await s.segment({ image, ...request }).catch((e: unknown) => e)) as SegmentAnything2Error;
    expect(err.code).toBe('CLOSED');
  });
});

describe('event loop during an encode of the embedded model', () => {
  it('keeps a 10 ms timer firing in the worker, and stops it with worker: false', { timeout: 600_000 }, async () => {
    const bytes = Uint8Array.from(drawImage(320, 240, texture).data);
    const raw = { data: bytes, width: 320, height: 240, channels: 4 as const };
    const worker = await createSegmenter();
    let inWorker;
    try {
      inWorker = await ticksDuring(() => worker.segment({ image: raw, ...request }));
    } finally {
      await worker.close();
    }
    const thread = await createSegmenter({ worker: false });
    let inThread;
    try {
      inThread = await ticksDuring(() => thread.segment({ image: raw, ...request }));
    } finally {
      await thread.close();
    }
    console.log(`encode + decode: worker thread ${inWorker.ticks} ticks, longest gap ${inWorker.maxGapMs.toFixed(0)} ms; worker: false ${inThread.ticks} ticks, longest gap ${inThread.maxGapMs.toFixed(0)} ms`);
    // The encode takes seconds: in the worker the timer fires throughout it; in-thread it cannot
    // fire until the encode's synchronous run ends (a handful of ticks at most, before and after).
    expect(inWorker.ticks).toBeGreaterThan(3 * inThread.ticks + 10);
    expect(inWorker.maxGapMs).toBeLessThan(inThread.maxGapMs);
  });
});
