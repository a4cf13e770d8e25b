/**
 * `worker: false` in Chromium: every browser image form is read as the image it is, never taken for
 * an image handle (an element's `id` is a string, as a handle's is).
 */
import { describe, expect, it } from 'vitest';
import { SERVED_FIXTURES, useHarness } from './harness.js';

const FIXTURE = SERVED_FIXTURES.sam2;

const ctx = useHarness();

describe('images on the calling thread', () => {
  it('canvas, OffscreenCanvas, <img>, ImageBitmap, ImageData and Blob give identical answers with worker: false', async () => {
    const r = await ctx.page.evaluate(async (model) => {
      const { sam } = window;
      const raw = sam.drawImage(40, 30, sam.texture);
      const imageData = new ImageData(new Uint8ClampedArray(raw.data), 40, 30);
      const canvas = Object.assign(document.createElement('canvas'), { width: 40, height: 30, id: 'photo' });
      canvas.getContext('2d')!.putImageData(imageData, 0, 0);
      const offscreen = new OffscreenCanvas(40, 30);
      offscreen.getContext('2d')!.putImageData(imageData, 0, 0);
      const blob = await offscreen.convertToBlob({ type: 'image/png' });
      const img = Object.assign(new Image(), { id: 'photo-img' });
      img.src = URL.createObjectURL(blob);
      await img.decode();
      const forms = { canvas, offscreen, img, bitmap: await createImageBitmap(imageData), imageData, blob };
      const segmenter = await sam.createSegmenter({ model, worker: false, device: 'wasm' });
      try {
        const request = { point_coords: '[[12,7]]', point_labels: '[1]' };
        const reference = await segmenter.segment({ image: raw, ...request });
        const rawId = (await segmenter.setImage(raw)).id;
        const pngId = (await segmenter.setImage(new Uint8Array(await blob.arrayBuffer()))).id;
        const answers: Record<string, { id: string; sameAnswer: boolean; dims: string } | string> = {};
        for (const [name, image] of Object.entries(forms)) {
          try {
            const out = await segmenter.segment({ image, ...request });
            const { id } = await segmenter.setImage(image);
            const sameAnswer = out.logits.data.every((v, i) => v === reference.logits.data[i]) && out.masks.data.every((v, i) => v === reference.masks.data[i]);
            answers[name] = { id: id === rawId ? 'raw pixels' : id === pngId ? 'png bytes' : id, sameAnswer, dims: out.masks.dims.join() };
          } catch (e) {
            answers[name] = `${(e as { code?: string }).code}: ${(e as Error).message}`;
          }
        }
        return { answers, stats: await segmenter.stats() };
      } finally {
        await segmenter.close();
      }
    }, FIXTURE);
    const pixels = { id: 'raw pixels', sameAnswer: true, dims: '3,30,40' };
    expect(r.answers).toEqual({ canvas: pixels, offscreen: pixels, img: pixels, bitmap: pixels, imageData: pixels, blob: { ...pixels, id: 'png bytes' } });
    // The drawable forms were read to the same pixels as the raw image: one encode for them all, one for the PNG bytes.
    expect(r.stats).toMatchObject({ encoderRuns: 2 });
  });

  it('takes a snapshot of the caller\'s buffers, in the worker as on the calling thread', async () => {
    const r = await ctx.page.evaluate(async (model) => {
      const { sam } = window;
      const a = sam.drawImage(40, 30, sam.texture);
      const b = sam.drawImage(40, 30, (x, y) => sam.texture(y, x));
      const answers: Record<string, boolean> = {};
      for (const worker of [true, false]) {
        const segmenter = await sam.createSegmenter({ model, worker, device: 'wasm' });
        try {
          const pixels = { ...a, data: new Uint8Array(a.data) };
          const first = segmenter.setImage(pixels);
          pixels.data.set(b.data); // reused as soon as the call returns
          const handle = await first;
          const freshA = await segmenter.setImage({ ...a, data: new Uint8Array(a.data) });
          const freshB = await segmenter.setImage({ ...b, data: new Uint8Array(b.data) });
          answers[worker ? 'worker' : 'calling thread'] = handle.id === freshA.id && handle.id !== freshB.id;
        } finally {
          await segmenter.close();
        }
      }
      return answers;
    }, FIXTURE);
    expect(r).toEqual({ worker: true, 'calling thread': true });
  });
});
