/**
 * The worker's RPC surface over an in-process MessageChannel (as comlink's own tests do), with the
 * Node platform standing in for the browser one.
 */
import { describe, expect, it } from 'vitest';
import { SegmentAnything2Error } from '../../lib/errors.js';
import { fixtureModel } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';
import { connect } from './connect.js';

const model = fixtureModel('sam2');
const image = drawImage(40, 30, texture);

describe('worker API', () => {
  it('transfers the response buffers instead of copying them', async () => {
    const { remote, transfers } = connect();
    await remote.init({ model, device: 'wasm' });
    transfers.length = 0;
    const r = await remote.segment({ image, point_coords: '[[5,5]]', point_labels: '[1]' }, { callId: 1 });
    const moved = transfers.flat() as ArrayBuffer[];
    expect(moved).toHaveLength(3);
    expect(moved.map((b) => b.byteLength).sort((a, b) => a - b)).toEqual([0, 0, 0]); // detached on the worker side
    expect([r.masks.data.byteLength, r.scores.data.byteLength, r.logits.data.byteLength]).toEqual([3 * 30 * 40 * 4, 3 * 4, 3 * 65536 * 4]);
    await remote.close();
  });

  it('rebuilds SegmentAnything2Error with status, code and detail on the other side', async () => {
    const { remote } = connect();
    const ready = await remote.init({ model, device: 'auto' });
    expect(ready.backend).toMatchObject({ device: 'wasm', fallbackReason: expect.stringMatching(/Node/) });
    const err = await remote.segment({ image, model_id: 'other' }, { callId: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(SegmentAnything2Error);
    expect([err.status, err.code, JSON.stringify(err)]).toEqual([400, 'MODEL_MISMATCH', '{"detail":{"msg":"pipeline configured with fixture/sam2 but called with other."}}']);
    await remote.close();
  });

  it('abort(callId) cancels a call that waits in the queue', async () => {
    const { remote } = connect();
    await remote.init({ model, device: 'wasm' });
    const big = drawImage(1200, 900, texture);
    const first = remote.segment({ image: big, point_coords: '[[5,5]]', point_labels: '[1]' }, { callId: 10 });
    const second = remote.setImage(image, { callId: 11 });
    await remote.abort(11);
    await expect(second).rejects.toMatchObject({ code: 'ABORTED' });
    await first;
    expect(await remote.stats()).toMatchObject({ encoderRuns: 1 });
    await remote.close();
  });
});
