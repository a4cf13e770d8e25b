/** generateMasks and segmentObjects through the worker's RPC surface (MessageChannel, Node platform). */
import { proxy } from 'comlink';
import { describe, expect, it } from 'vitest';
import { regionsDecoder, sam2Encoder, type CellRect } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';
import { connect } from './connect.js';

const RECTS: CellRect[] = [
  [20, 30, 60, 90],
  [100, 20, 200, 70],
  [40, 150, 230, 240],
];
const model = { id: 'fixture/regions', encoder: sam2Encoder(), decoder: regionsDecoder('sam2', RECTS) };
const S = 256; // one image pixel per low-res cell
const image = drawImage(S, S, texture);

describe('worker API: many masks', () => {
  it('generateMasks reports progress, transfers the masks and can be aborted', async () => {
    const { remote, transfers } = connect();
    await remote.init({ model, device: 'wasm' });
    const progress: number[] = [];
    transfers.length = 0;
    const records = await remote.generateMasks(image, { callId: 1, points_per_side: 8, points_per_batch: 32 }, proxy((p: { done: number }) => void progress.push(p.done)));
    expect(progress).toEqual([0, 32, 64]);
    expect(records.map((r) => r.bbox).sort((a, b) => a[1] - b[1])).toEqual(
      [...RECTS].sort((a, b) => a[1] - b[1]).map(([x0, y0, x1, y1]) => [x0, y0, x1 - 1 - x0, y1 - 1 - y0]),
    );
    expect(transfers.flat()).toHaveLength(3);
    for (const r of records) expect((r.segmentation as { data: Uint8Array }).data.byteLength).toBe(S * S);

    const aborted = remote.generateMasks(image, { callId: 2, points_per_side: 8, points_per_batch: 1 }, proxy((p: { done: number }) => void (p.done === 2 && remote.abort(2))));
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await remote.generateMasks(image, { callId: 3, points_per_side: 8, output_mode: 'coco_rle' })).toHaveLength(3);
    await remote.close();
  });

  it('segmentObjects answers one response per prompt', async () => {
    const { remote } = connect();
    await remote.init({ model, device: 'wasm' });
    const prompts = [{ point_coords: [[40, 60]], point_labels: [1] }, { point_coords: [[150, 40]], point_labels: [1] }];
    const all = await remote.segmentObjects(image, prompts, { callId: 4, multimask_output: false });
    expect(all).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      const alone = await remote.segment({ image, ...prompts[i], multimask_output: false }, { callId: 5 + i });
      expect(Buffer.from(all[i]!.masks.data.buffer).equals(Buffer.from(alone.masks.data.buffer))).toBe(true);
      expect(all[i]!.scores.data).toEqual(alone.scores.data);
    }
    await remote.close();
  });
});
