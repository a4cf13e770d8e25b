/**
 * Every corpus request gets the runner's status and body, and the same segmenter then still answers
 * the valid request exactly as before, from its cached embedding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, SegmentAnything2Error, toGatewayJSON, type Segmenter, type SegmentAnything2Response } from '../../lib/node.js';
import { fixtureModel } from '../fixtures/models.js';
import { BASE_REQUEST, CORPUS, type CorpusEntry, type ImageName } from './corpus.js';
import { corpusImages } from './images.js';

let segmenter: Segmenter;
let images: Record<ImageName, Uint8Array>;
let baseline: SegmentAnything2Response;

/** The entry's request over the base request, with `image:<name>` placeholders made bytes. */
export function requestOf(entry: CorpusEntry, imagesByName: Record<ImageName, Uint8Array>): Record<string, unknown> {
  const merged: Record<string, unknown> = { image: imagesByName.png, ...BASE_REQUEST, ...entry.request };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  if (typeof merged.image === 'string' && merged.image.startsWith('image:')) merged.image = imagesByName[merged.image.slice(6) as ImageName];
  return merged;
}

beforeAll(async () => {
  images = await corpusImages();
  segmenter = await createSegmenter({ worker: false, model: fixtureModel('sam2') });
  baseline = await segmenter.segment({ image: images.png, ...BASE_REQUEST });
  return () => segmenter.close();
});

describe('malformed-request corpus', () => {
  it('has at least 60 malformed requests', () => {
    expect(CORPUS.filter((e) => e.status !== 200).length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map((e) => e.name)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((e) => [e.name, e] as const))('%s', async (_, entry) => {
    const before = await segmenter.stats();
    const request = requestOf(entry, images);
    const outcome = await segmenter.segment(request as never).then(
      (response) => ({ response }),
      (error: unknown) => ({ error }),
    );
    if (entry.status === 200) {
      expect('error' in outcome ? outcome.error : undefined).toBeUndefined();
      const { masks, scores } = (outcome as { response: SegmentAnything2Response }).response;
      expect(masks.dims[0]).toBe(scores.data.length);
      expect(Array.from(scores.data).every(Number.isFinite)).toBe(true);
    } else {
      expect('error' in outcome).toBe(true);
      const error = (outcome as { error: unknown }).error;
      expect(error).toBeInstanceOf(SegmentAnything2Error);
      const e = error as SegmentAnything2Error;
      expect({ status: e.status, code: e.code }).toEqual({ status: entry.status, code: entry.code });
      // The gateway's error shape: {"detail": {msg} | string | [issues]}.
      const text = JSON.stringify(e);
      const body = JSON.parse(text) as { detail: unknown };
      expect(Object.keys(body)).toEqual(['detail']);
      if (entry.body) expect(text).toContain(entry.body);
    }
    // The segmenter still answers the valid request, identically, from the cached embedding.
    const again = await segmenter.segment({ image: images.png, ...BASE_REQUEST });
    expect(toGatewayJSON(again)).toBe(toGatewayJSON(baseline));
    const after = await segmenter.stats();
    expect(after.cachedImages).toBeGreaterThanOrEqual(1);
    const encodedBase = after.encoderRuns - before.encoderRuns;
    // Only a 200 entry with its own image may encode (once); the base image is never re-encoded.
    expect(encodedBase).toBeLessThanOrEqual(entry.status === 200 && typeof entry.request.image === 'string' ? 1 : 0);
  });
});
