/**
 * The corpus's image entries and a sample of the others through the worker in Chromium, where
 * images are decoded by createImageBitmap rather than sharp: same status and code as in Node, and
 * the same segmenter answers the valid request identically afterwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE_REQUEST, CORPUS, type ImageName } from '../reliability/corpus.js';
import { corpusImages } from '../reliability/images.js';
import { SERVED_FIXTURES, useHarness } from './harness.js';

const SAM2 = SERVED_FIXTURES.sam2;

/** Entries whose requests survive page.evaluate's serialization: images and plain JSON values. */
const plain = (v: unknown): boolean => v === undefined || v === null || typeof v !== 'object' || (Array.isArray(v) && v.every(plain));
const ENTRIES = CORPUS.filter((e) => Object.values(e.request).every(plain) && JSON.stringify(e.request).length < 10_000);

const ctx = useHarness();
let images: Record<ImageName, number[]>;
beforeAll(async () => {
  images = Object.fromEntries(Object.entries(await corpusImages()).map(([k, v]) => [k, Array.from(v)])) as Record<ImageName, number[]>;
});

describe('corpus through the worker', () => {
  it(`answers ${ENTRIES.length} corpus requests like the runner, and keeps answering the valid one`, async () => {
    expect(ENTRIES.filter((e) => typeof e.request.image === 'string').length).toBeGreaterThanOrEqual(9);
    const outcomes = await ctx.page.evaluate(
      async ({ model, entries, images, base }) => {
        const bytes = (name: string) => new Uint8Array(images[name as keyof typeof images]);
        const segmenter = await window.sam.createSegmenter({ model, device: 'wasm' });
        const baseline = window.sam.toGatewayJSON(await segmenter.segment({ image: bytes('png'), ...base }));
        const out: Array<{ name: string; got: string; same: boolean }> = [];
        for (const entry of entries) {
          const request: Record<string, unknown> = { image: bytes('png'), ...base, ...entry.request };
          for (const [k, v] of Object.entries(request)) if (v === undefined) delete request[k];
          if (typeof request.image === 'string' && request.image.startsWith('image:')) request.image = bytes(request.image.slice(6));
          const got = await segmenter.segment(request as never).then(
            () => '200',
            (e: { status: number; code: string }) => `${e.status} ${e.code}`,
          );
          const again = window.sam.toGatewayJSON(await segmenter.segment({ image: bytes('png'), ...base }));
          out.push({ name: entry.name, got, same: again === baseline });
        }
        await segmenter.close();
        return out;
      },
      { model: SAM2, entries: ENTRIES.map((e) => ({ name: e.name, request: e.request })), images, base: BASE_REQUEST },
    );
    const expected = ENTRIES.map((e) => ({ name: e.name, got: e.status === 200 ? '200' : `${e.status} ${e.code}`, same: true }));
    expect(outcomes).toEqual(expected);
    // ~80 requests with their re-checks take 90-120 s on a loaded 2-core machine.
  }, 300_000);
});
