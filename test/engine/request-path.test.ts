/**
 * The engine's request path: the image is resolved (and snapshotted) first, prompts are checked
 * before anything is encoded, and images are never taken for handles.
 */
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isImageHandle } from '../../lib/engine/image-source.js';
import { startEngine } from '../../lib/engine/start.js';
import { nodePlatform } from '../../lib/platform/node.js';
import { createSegmenter, type Segmenter } from '../../lib/node.js';
import { fixtureModel } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';

const model = fixtureModel('sam2');
const prompt = { point_coords: '[[10,10]]', point_labels: '[1]' };
const imageA = drawImage(64, 48, texture);
const imageB = drawImage(64, 48, (x, y) => (x < 32 ? [250, 250, 250] : [5, 5, 5]));
const pngOf = (raw: typeof imageA) => sharp(Buffer.from(raw.data), { raw: { width: raw.width, height: raw.height, channels: 4 } }).png().toBuffer();

let segmenter: Segmenter | undefined;
afterEach(() => segmenter?.close());

describe('request path', () => {
  it('refuses a bad prompt on a new image without running the encoder', async () => {
    segmenter = await createSegmenter({ worker: false, model });
    const err = await segmenter.segment({ image: imageA, point_coords: '[[1,2,3]]', point_labels: '[1]' }).catch((e) => e);
    expect([err.status, err.code]).toEqual([400, 'INVALID_PROMPT']);
    const missingLabels = await segmenter.segment({ image: await pngOf(imageA), point_coords: '[[1,2]]' }).catch((e) => e);
    expect(missingLabels.code).toBe('INVALID_PROMPT');
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 0, decoderRuns: 0, cachedImages: 0 });
    // The runner's order: an undecodable image (row 6) is reported before a bad prompt (row 7).
    const both = await segmenter.segment({ image: new Uint8Array([1, 2, 3]), point_coords: '[[1,2,3]]', point_labels: '[1]' }).catch((e) => e);
    expect([both.status, both.code]).toEqual([500, 'IMAGE_DECODE']);
    // And the segmenter still answers.
    await segmenter.segment({ image: imageA, ...prompt });
    expect(await segmenter.stats()).toMatchObject({ encoderRuns: 1, decoderRuns: 1 });
  });

  it('snapshots raw pixels: a caller reusing its buffer cannot poison the cache', async () => {
    const { engine } = await startEngine(nodePlatform, { model });
    try {
      const encoded: Uint8Array[] = [];
      const encode = engine.encode.bind(engine);
      vi.spyOn(engine, 'encode').mockImplementation((pixels, signal) => {
        encoded.push(Uint8Array.from(pixels.data));
        return encode(pixels, signal);
      });
      const buffer = { ...imageA, data: new Uint8Array(imageA.data) };
      const first = engine.setImage(buffer);
      buffer.data.set(imageB.data); // reused as soon as setImage() returns its promise
      const handleA = await first;
      // What was encoded and cached under A's key is A's pixels…
      expect(encoded).toEqual([Uint8Array.from(imageA.data)]);
      // …so A's pixels find it, and B is a new image.
      expect((await engine.setImage({ ...imageA, data: new Uint8Array(imageA.data) })).id).toBe(handleA.id);
      expect((await engine.setImage(buffer)).id).not.toBe(handleA.id);
      expect(encoded).toHaveLength(2);
      expect(engine.stats()).toMatchObject({ encoderRuns: 2, cacheHits: 1, cacheMisses: 2 });
    } finally {
      await engine.close();
    }
  });

  it('snapshots encoded bytes: a caller reusing its buffer cannot poison the cache', async () => {
    // A is 64×48 and B 48×64: masks of the wrong image would have the wrong shape.
    const [pngA, pngB] = await Promise.all([pngOf(imageA), pngOf(drawImage(48, 64, texture))]);
    segmenter = await createSegmenter({ worker: false, model });
    const s = segmenter;
    const buffer = new Uint8Array(Math.max(pngA.length, pngB.length));
    buffer.set(pngA);
    const first = s.segment({ image: buffer.subarray(0, pngA.length), ...prompt });
    buffer.fill(0).set(pngB); // reused before the first request has even hashed it
    expect((await first).masks.dims).toEqual([3, 48, 64]);
    const again = await s.segment({ image: new Uint8Array(pngA), ...prompt });
    expect(again.masks.dims).toEqual([3, 48, 64]);
    expect((await s.segment({ image: new Uint8Array(pngB), ...prompt })).masks.dims).toEqual([3, 64, 48]);
    expect(await s.stats()).toMatchObject({ encoderRuns: 2, cacheHits: 1 });
  });

  it('takes only plain objects with an id and no pixels for handles', () => {
    expect(isImageHandle({ id: 'f'.repeat(64), width: 4, height: 4 })).toBe(true);
    expect(isImageHandle(structuredClone({ id: 'abc', width: 1, height: 1 }))).toBe(true);
    expect(isImageHandle({ id: 'abc', data: new Uint8Array(4), width: 1, height: 1 })).toBe(false);
    expect(isImageHandle({ hello: 'world' })).toBe(false);
    expect(isImageHandle(new Blob([]))).toBe(false);
    expect(isImageHandle(new Uint8Array(4))).toBe(false);
    class Element {
      id = 'canvas';
      width = 4;
      height = 4;
      get [Symbol.toStringTag]() {
        return 'HTMLCanvasElement';
      }
    }
    expect(isImageHandle(new Element())).toBe(false);
    expect(isImageHandle(null)).toBe(false);
  });
});
