/** The engine's per-image embedding cache, seen through the public segmenter API. */
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createSegmenter, SegmentAnything2Error, type Segmenter } from '../../lib/node.js';
import { fixtureModel } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';

const model = fixtureModel('sam2');
const SAM2_EMBEDDING_BYTES = (256 * 64 * 64 + 32 * 256 * 256 + 64 * 128 * 128) * 4; // 16 MiB
const prompt = { point_coords: '[[10,10]]', point_labels: '[1]' };
const imageA = drawImage(64, 48, texture);
const imageB = drawImage(64, 48, (x, y) => texture(y, x));

let segmenter: Segmenter | undefined;
afterEach(() => segmenter?.close());

describe('embedding cache', () => {
  it('runs the encoder once per image: a second prompt runs only the decoder', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    await segmenter.segment({ image: imageA, ...prompt });
    await segmenter.segment({ image: imageA, point_coords: '[[30,20]]', point_labels: '[0]' });
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 1, decoderRuns: 2, cacheHits: 1, cacheMisses: 1, cachedImages: 1, cachedBytes: SAM2_EMBEDDING_BYTES });
  });

  it('keys encoded bytes by content, whatever object carries them', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    const png = await sharp(Buffer.from(imageA.data), { raw: { width: 64, height: 48, channels: 4 } }).png().toBuffer();
    await segmenter.segment({ image: new Blob([png]), ...prompt });
    await segmenter.segment({ image: new Uint8Array(png), ...prompt });
    await segmenter.segment({ image: png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength), ...prompt });
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 1, cacheHits: 2 });
  });

  it('encodes a new image once for concurrent requests', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    const s = segmenter;
    const results = await Promise.all([1, 2, 3, 4].map((i) => s.segment({ image: imageB, point_coords: [[i * 10, 10]], point_labels: [1] })));
    expect(results).toHaveLength(4);
    expect(await s.stats()).toMatchObject({ encoderRuns: 1, decoderRuns: 4 });
  });

  it('setImage returns a handle that later requests pass instead of the image', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    const handle = await segmenter.setImage(imageA);
    expect(handle).toMatchObject({ width: 64, height: 48 });
    expect(handle.id).toMatch(/^[0-9a-f]{64}$/);
    const viaHandle = await segmenter.segment({ image: handle, ...prompt });
    const viaPixels = await segmenter.segment({ image: imageA, ...prompt });
    expect(viaHandle.logits.data).toEqual(viaPixels.logits.data);
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 1, cacheHits: 2 });
  });

  it('a released handle is a NO_IMAGE 400, and the segmenter keeps working', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    const handle = await segmenter.setImage(imageA);
    expect(await segmenter.releaseImage(handle.id)).toBe(true);
    expect(await segmenter.releaseImage(handle.id)).toBe(false);
    const err = await segmenter.segment({ image: handle, ...prompt }).catch((e) => e);
    expect(err).toBeInstanceOf(SegmentAnything2Error);
    expect([err.status, err.code]).toEqual([400, 'NO_IMAGE']);
    await expect(segmenter.segment({ image: imageA, ...prompt })).resolves.toBeDefined();
  });

  it('stays within its byte budget, evicting the least recently used image', async () => {
    segmenter = await createSegmenter({ worker: false, model, cacheBytes: 2 * SAM2_EMBEDDING_BYTES });
    const images = [0, 1, 2].map((k) => drawImage(32, 32, (x, y) => texture(x + 40 * k, y)));
    for (const image of images) await segmenter.segment({ image, ...prompt });
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 3, cachedImages: 2, cachedBytes: 2 * SAM2_EMBEDDING_BYTES });
    await segmenter.segment({ image: images[2]!, ...prompt }); // still cached
    await segmenter.segment({ image: images[0]!, ...prompt }); // evicted: encoded again
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 4, cacheHits: 1 });
  });

  it('an invalid prompt leaves the cached image usable', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    await segmenter.setImage(imageA); // cached first: a bad prompt on a new image encodes nothing (test/engine/request-path.test.ts)
    const bad = await segmenter.segment({ image: imageA, point_coords: '[[1,2],[3,4]]', point_labels: '[1]' }).catch((e) => e);
    expect(bad.code).toBe('INVALID_PROMPT');
    await segmenter.segment({ image: imageA, ...prompt });
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 1, cacheHits: 1 });
  });

  it('rejects every call with CLOSED after close()', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    await segmenter.close();
    await segmenter.close();
    const err = await segmenter.segment({ image: imageA, ...prompt }).catch((e) => e);
    expect(err.code).toBe('CLOSED');
  });
});

describe('aborts and hover requests', () => {
  const big = drawImage(1200, 900, texture);

  it('an AbortSignal cancels queued work: the aborted request never runs the encoder', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    const controller = new AbortController();
    const first = segmenter.segment({ image: big, ...prompt });
    const second = segmenter.segment({ image: imageB, ...prompt }, { signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'ABORTED', status: 499 });
    await first;
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 1, decoderRuns: 1 });
    await expect(segmenter.segment({ image: imageB, ...prompt }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('a newer hover request replaces older waiting ones, but never an explicit request', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    const s = segmenter;
    const hover = (x: number) => s.segment({ image: big, point_coords: [[x, 10]], point_labels: [1] }, { hover: true });
    const h1 = hover(10);
    const explicit = s.segment({ image: big, point_coords: [[20, 10]], point_labels: [1] });
    const h2 = hover(30);
    const h3 = hover(40);
    const results = await Promise.allSettled([h1, explicit, h2, h3]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'ABORTED' });
    // One shared encode; decodes only for the explicit request and the last hover.
    expect(await s.stats()).toMatchObject({ encoderRuns: 1, decoderRuns: 2 });
  });
});
