/**
 * Memory mode on the disk-world fixtures of contract 1A (test/fixtures/video-models.ts), in Node:
 * the bank's layout and order, temporal rows, pointer split and order, binarize, occlusion,
 * reverse tracking, corrections and two objects, pinned through the graphs' feeds.
 */
import { describe, expect, it } from 'vitest';
import { createVideoTracker, SegmentAnything2Error } from '../../lib/node.js';
import type { OrtTensor } from '../../lib/engine/ort-runtime.js';
import { nodePlatform } from '../../lib/platform/node.js';
import { MemoryCore } from '../../lib/video/memory.js';
import type { VideoGraph } from '../../lib/video/manifest.js';
import { startTrackerCore } from '../../lib/video/start.js';
import type { VideoModelSpec } from '../../lib/video/video-models.js';
import type { RawImage } from '../../lib/types.js';
import { videoConstants, videoFixture, videoGeometry } from '../fixtures/video-models.js';
import { diskFrame, type Disk } from './clip.js';

const RED: [number, number, number] = [255, 0, 0];
const black = (): [number, number, number] => [0, 0, 0];

function fixtureSpec(S: number): VideoModelSpec {
  const files = videoFixture(S);
  const graph = (g: VideoGraph) => files[`${g}.onnx`]!;
  return {
    kind: 'sam2-video',
    id: `fixture/video-${S}`,
    graphs: { vision_encoder: graph('vision_encoder'), mask_decoder: graph('mask_decoder'), memory_encoder: graph('memory_encoder'), memory_attention: graph('memory_attention'), pointer_tpos: graph('pointer_tpos') },
    constants: videoConstants(S),
  };
}

interface Run {
  graph: VideoGraph;
  feeds: Record<string, { data: Float32Array | Int32Array; dims: readonly number[] }>;
  outputs: Record<string, { data: Float32Array; dims: readonly number[] }>;
  /** The output tensors themselves (to see whether they were disposed). */
  tensors: Record<string, OrtTensor>;
}

async function startCore(S = 256, options: { correctionsAsConditioning?: boolean } = {}): Promise<{ core: MemoryCore; runs: Run[] }> {
  const runs: Run[] = [];
  const copy = (r: Record<string, OrtTensor>) =>
    Object.fromEntries(Object.entries(r).map(([k, t]) => [k, { data: (t.data as Float32Array).slice(), dims: [...t.dims] }]));
  const { core } = await startTrackerCore(nodePlatform, { device: 'wasm', model: fixtureSpec(S), ...options }, (graph, feeds, outputs) =>
    runs.push({ graph, feeds: copy(feeds), outputs: copy(outputs) as Run['outputs'], tensors: outputs }),
  );
  expect(core).toBeInstanceOf(MemoryCore);
  return { core: core as MemoryCore, runs };
}

const W = 256;
const H = 256;
const disk = (x: number, y: number): Disk => ({ x, y, r: 12, color: RED });
const frameOf = (...disks: Disk[]): RawImage => diskFrame(W, H, disks, black);
/** The red disk moves 6 px a frame to the right from (40, 104). */
const moving = (t: number) => disk(40 + 6 * t, 104);

function centroid(mask: { data: Uint8Array; dims: readonly [number, number] }): { x: number; y: number; area: number } {
  const [h, w] = mask.dims;
  let sx = 0;
  let sy = 0;
  let area = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask.data[y * w + x]) (sx += x), (sy += y), area++;
  return { x: sx / area, y: sy / area, area };
}

describe('memory mode, contract 1A fixtures (Node, wasm)', () => {
  it('pins the bank: slot order, tpos rows, padding, pointer split/order/padding, diffs, binarize, score reshape', async () => {
    const { core, runs } = await startCore();
    const { T, R } = videoGeometry(256);
    const clip = Array.from({ length: 10 }, (_, t) => frameOf(moving(t)));
    await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 1, point_coords: [[moving(0).x, moving(0).y]], point_labels: [1] });
    const seedEnc = runs.find((r) => r.graph === 'memory_encoder')!;
    expect(seedEnc.feeds.binarize!.dims).toEqual([]);
    expect(Array.from(seedEnc.feeds.binarize!.data)).toEqual([1]);
    expect(seedEnc.feeds.object_score_logits!.dims).toEqual([1, 1]);
    const seedDec = runs.find((r) => r.graph === 'mask_decoder')!;
    expect(seedDec.feeds.input_labels!.data).toBeInstanceOf(Int32Array);
    expect(Array.from(seedDec.feeds.input_points!.data)).toEqual([40, 104]);
    expect(core.beginPropagation(undefined, false, clip.length)).toBe(0);
    const memoryOf: Record<number, Float32Array> = { 0: seedEnc.outputs.memory_tokens!.data };
    const pointerOf: Record<number, Float32Array> = { 0: seedDec.outputs.object_pointer!.data };
    for (let t = 0; t < 4; t++) {
      runs.length = 0;
      await core.trackFrame(t, clip[t]!, false);
      if (t === 0) {
        expect(runs).toEqual([]); // the conditioning frame is reused, not re-run
        continue;
      }
      const enc = runs.find((r) => r.graph === 'memory_encoder')!;
      expect(Array.from(enc.feeds.binarize!.data)).toEqual([0]);
      memoryOf[t] = enc.outputs.memory_tokens!.data;
      pointerOf[t] = runs.find((r) => r.graph === 'mask_decoder')!.outputs.object_pointer!.data;
      const dec = runs.find((r) => r.graph === 'mask_decoder')!;
      expect(Array.from(dec.feeds.input_points!.data)).toEqual([0, 0]);
      expect(Array.from(dec.feeds.input_labels!.data)).toEqual([-1]);
      expect(runs.map((r) => r.graph)).toEqual(['vision_encoder', 'pointer_tpos', 'memory_attention', 'mask_decoder', 'memory_encoder']);
    }
    // Frame 3's bank (the last run): slots [cond 0 | 2 | 1 | 2 2 2 2], pointers [0, 2, 1, 1…].
    const att = runs.find((r) => r.graph === 'memory_attention')!;
    const mem = att.feeds.memory!;
    const pos = att.feeds.memory_pos!;
    expect(mem.dims).toEqual([R, 1, 64]);
    expect(pos.dims).toEqual([R, 1, 64]);
    const slotFrames = [0, 2, 1, 2, 2, 2, 2];
    const slotRows = [6, 0, 1, 0, 0, 0, 0];
    slotFrames.forEach((f, s) => {
      expect(Array.from(mem.data.subarray(s * T * 64, (s + 1) * T * 64)), `slot ${s}`).toEqual(Array.from(memoryOf[f]!));
      // memory_pos = encoder pos (x/F, y/F in channels 0, 1) + tpos row (channel 62 = row + 1).
      expect(pos.data[s * T * 64 + 62], `slot ${s} tpos`).toBe(slotRows[s]! + 1);
      expect(pos.data[(s * T + 17) * 64 + 0]).toBeCloseTo(1 / 16, 6);
      expect(pos.data[(s * T + 17) * 64 + 1]).toBeCloseTo(1 / 16, 6);
    });
    const tp = runs.find((r) => r.graph === 'pointer_tpos')!;
    const span = 9; // min(10, 16) − 1
    const diffs = [3, 1, 2, ...Array(13).fill(2)].map((d) => Math.fround(d / span));
    expect(Array.from(tp.feeds.normalized_diffs!.data)).toEqual(diffs);
    const ptrFrames = [0, 2, 1, ...Array(13).fill(1)];
    ptrFrames.forEach((f, i) => {
      for (let k = 0; k < 4; k++) {
        const row = 7 * T + 4 * i + k;
        expect(Array.from(mem.data.subarray(row * 64, row * 64 + 64)), `pointer ${i} row ${k}`).toEqual(Array.from(pointerOf[f]!.subarray(64 * k, 64 * k + 64)));
        expect(pos.data[row * 64], `pointer ${i} pos`).toBe(diffs[i]);
      }
    });
    await core.close();
  });

  it('follows a moving disk past a stationary distractor, through the public API', async () => {
    const tracker = await createVideoTracker({ worker: false, model: fixtureSpec(256) });
    expect(tracker.mode).toBe('memory');
    const distractor = disk(200, 200);
    const clip = Array.from({ length: 12 }, (_, t) => frameOf(moving(t), distractor));
    await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 1, point_coords: [[40, 104]], point_labels: [1] });
    let frames = 0;
    for await (const r of tracker.propagate(clip)) {
      frames++;
      const o = r.objects[0]!;
      expect(o.visible, `frame ${r.frameIndex}`).toBe(true);
      const c = centroid(o.mask);
      expect(Math.abs(c.x - moving(r.frameIndex).x), `frame ${r.frameIndex}`).toBeLessThan(16);
      expect(Math.abs(c.y - 104)).toBeLessThan(16);
      expect(o.mask.data[200 * W + 200], 'distractor').toBe(0);
    }
    expect(frames).toBe(12);
    await tracker.close();
  });

  it('occlusion: invisible with an empty mask, the occluded flag reaches memory, and the disk is found again', async () => {
    const { core, runs } = await startCore();
    const still = disk(104, 104);
    const clip = Array.from({ length: 10 }, (_, t) => (t >= 4 && t <= 6 ? frameOf() : frameOf(still)));
    await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 1, point_coords: [[104, 104]], point_labels: [1] });
    core.beginPropagation(undefined, false, clip.length);
    for (let t = 0; t < clip.length; t++) {
      runs.length = 0;
      const r = await core.trackFrame(t, clip[t]!, false);
      const o = r.objects[0]!;
      const occluded = t >= 4 && t <= 6;
      expect(o.visible, `frame ${t}`).toBe(!occluded);
      if (occluded) {
        expect(o.mask.data.every((v) => v === 0)).toBe(true);
        const enc = runs.find((x) => x.graph === 'memory_encoder')!;
        expect(enc.outputs.memory_tokens!.data[1], 'occluded flag').toBe(1);
        expect(runs.find((x) => x.graph === 'mask_decoder')!.outputs.object_pointer!.data[0]).toBe(-1);
      } else {
        expect(centroid(o.mask).area).toBeGreaterThan(0);
      }
    }
    await core.close();
  });

  it('two objects share one encoder run per frame and keep their ids and banks', async () => {
    const { core, runs } = await startCore();
    const a = (t: number) => disk(40 + 6 * t, 56);
    const b = (t: number) => disk(200 - 6 * t, 184);
    const clip = Array.from({ length: 6 }, (_, t) => frameOf(a(t), b(t)));
    await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 9, point_coords: [[a(0).x, a(0).y]], point_labels: [1] });
    const r0 = await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 4, point_coords: [[b(0).x, b(0).y]], point_labels: [1] });
    expect(r0.objects.map((o) => o.objectId)).toEqual([4, 9]);
    core.beginPropagation(undefined, false, clip.length);
    for (let t = 1; t < clip.length; t++) {
      runs.length = 0;
      const r = await core.trackFrame(t, clip[t]!, false);
      expect(runs.filter((x) => x.graph === 'vision_encoder')).toHaveLength(1);
      expect(runs.filter((x) => x.graph === 'memory_attention')).toHaveLength(2);
      expect(r.objects.map((o) => o.objectId)).toEqual([4, 9]);
      expect(Math.abs(centroid(r.objects[0]!.mask).x - b(t).x)).toBeLessThan(16);
      expect(Math.abs(centroid(r.objects[1]!.mask).x - a(t).x)).toBeLessThan(16);
    }
    await core.close();
  });

  it('a correction switches the track; it is non-conditioning by default and conditioning on request', async () => {
    const distractor = disk(184, 184);
    const clip = Array.from({ length: 8 }, (_, t) => frameOf(moving(t), distractor));
    const follows = (r: { objects: readonly { mask: { data: Uint8Array; dims: readonly [number, number] } }[] }) =>
      centroid(r.objects[0]!.mask).x > 150 ? 'distractor' : 'disk';
    for (const asCond of [false, true]) {
      const { core, runs } = await startCore(256, { correctionsAsConditioning: asCond });
      await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 1, point_coords: [[40, 104]], point_labels: [1] });
      core.beginPropagation(undefined, false, clip.length);
      for (let t = 0; t <= 4; t++) await core.trackFrame(t, clip[t]!, false);
      const fixed = await core.addPrompt({ frameIndex: 4, frame: clip[4]!, objectId: 1, point_coords: [[184, 184], [moving(4).x, 104]], point_labels: [1, 0] });
      expect(follows(fixed)).toBe('distractor');
      runs.length = 0;
      const r5 = await core.trackFrame(5, clip[5]!, false);
      const att = runs.find((x) => x.graph === 'memory_attention')!;
      const slotTpos = [0, 1, 2, 3, 4, 5, 6].map((s) => att.feeds.memory_pos!.data[s * 256 * 64 + 62]);
      // The distractor's cell (11, 11) in slot 0's memory: only a conditioning correction sits there.
      const distractorCell = (11 * 16 + 11) * 64;
      if (asCond) {
        expect(slotTpos).toEqual([7, 2, 3, 4, 5, 2, 2]); // frame 4 is the conditioning slot; recent = 3, 2, 1, 0
        expect(att.feeds.memory!.data[distractorCell]).toBeGreaterThan(0);
      } else {
        expect(slotTpos).toEqual([7, 1, 2, 3, 4, 1, 1]); // cond 0; recent = 4 (the correction), 3, 2, 1
        expect(att.feeds.memory!.data[distractorCell]).toBe(0);
        expect(follows(r5)).toBe('distractor');
      }
      // A new propagation from frame 0 reuses conditioning frames and re-tracks the others.
      core.beginPropagation(undefined, false, clip.length);
      for (let t = 0; t < 4; t++) await core.trackFrame(t, clip[t]!, false);
      runs.length = 0;
      const again = await core.trackFrame(4, clip[4]!, false);
      expect(runs.some((x) => x.graph === 'mask_decoder'), `asCond ${asCond}`).toBe(!asCond);
      expect(follows(again), `asCond ${asCond}`).toBe(asCond ? 'distractor' : 'disk');
      await core.close();
    }
  });

  it('reverse tracking from a middle frame: frames in descending order, rows mirrored', async () => {
    const { core, runs } = await startCore();
    const { T } = videoGeometry(256);
    const clip = Array.from({ length: 8 }, (_, t) => frameOf(moving(t)));
    await core.addPrompt({ frameIndex: 5, frame: clip[5]!, objectId: 1, point_coords: [[moving(5).x, 104]], point_labels: [1] });
    expect(core.beginPropagation(undefined, true, clip.length)).toBe(5);
    for (let t = 5; t >= 0; t--) {
      runs.length = 0;
      const r = await core.trackFrame(t, clip[t]!, true);
      expect(Math.abs(centroid(r.objects[0]!.mask).x - moving(t).x), `frame ${t}`).toBeLessThan(16);
    }
    // Frame 0's bank: cond 5 (row 6), then frames 1, 2, 3, 4 (rows 0–3), padded with frame 1.
    const att = runs.find((r) => r.graph === 'memory_attention')!;
    expect([0, 1, 2, 3, 4, 5, 6].map((s) => att.feeds.memory_pos!.data[s * T * 64 + 62])).toEqual([7, 1, 2, 3, 4, 1, 1]);
    const tp = runs.find((r) => r.graph === 'pointer_tpos')!;
    expect(Array.from(tp.feeds.normalized_diffs!.data.subarray(0, 6))).toEqual([5, 1, 2, 3, 4, 4].map((d) => Math.fround(d / 7)));
    await core.close();
  });

  it('geometry comes from constants.json: S = 128 gives F = 8 and R = 7·64 + 64', async () => {
    const { core, runs } = await startCore(128);
    const clip = Array.from({ length: 3 }, (_, t) => frameOf(moving(t)));
    await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 1, point_coords: [[40, 104]], point_labels: [1] });
    core.beginPropagation(undefined, false, 3);
    const r = await core.trackFrame(1, clip[1]!, false);
    expect(r.objects[0]!.mask.dims).toEqual([256, 256]);
    expect(r.objects[0]!.visible).toBe(true);
    expect(runs.find((x) => x.graph === 'vision_encoder')!.feeds.pixel_values!.dims).toEqual([1, 3, 128, 128]);
    expect(runs.find((x) => x.graph === 'memory_attention')!.feeds.memory!.dims).toEqual([7 * 64 + 64, 1, 64]);
    await core.close();
  });

  it('disposes memories that leave the bank (past 16 frames), and all of an object\'s on removeObject, and everything on reset', async () => {
    const { core, runs } = await startCore();
    const still = disk(104, 104);
    const other = disk(184, 56);
    const clip = Array.from({ length: 22 }, () => frameOf(still, other));
    const tensorsOf = (run: Run | undefined) => Object.values(run!.tensors);
    const locations = (tensors: OrtTensor[]) => [...new Set(tensors.map((t) => t.location))];
    await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 1, point_coords: [[104, 104]], point_labels: [1] });
    const memoryOf: OrtTensor[][] = [tensorsOf(runs.find((r) => r.graph === 'memory_encoder'))];
    const pointerOf: OrtTensor[] = [runs.find((r) => r.graph === 'mask_decoder')!.tensors.object_pointer!];
    core.beginPropagation(undefined, false, clip.length);
    let last: Run[] = [];
    for (let t = 0; t < clip.length; t++) {
      runs.length = 0;
      await core.trackFrame(t, clip[t]!, false);
      if (t === 0) continue;
      memoryOf[t] = tensorsOf(runs.find((r) => r.graph === 'memory_encoder'));
      pointerOf[t] = runs.find((r) => r.graph === 'mask_decoder')!.tensors.object_pointer!;
      last = [...runs];
    }
    // Frame 21 keeps the conditioning frame 0 and frames 5…21 (16 frames or less away).
    expect(core.stats()).toEqual({ memories: 18, locations: { cpu: 54 } });
    for (let t = 0; t < clip.length; t++) {
      const kept = t === 0 || t >= 5;
      expect(locations([...memoryOf[t]!, pointerOf[t]!]), `frame ${t}`).toEqual([kept ? 'cpu' : 'none']);
    }
    // The last frame's intermediates are gone too: the high-res mask, the conditioned features, pointer_pos.
    expect(last.find((r) => r.graph === 'mask_decoder')!.tensors.high_res_mask!.location).toBe('none');
    expect(locations(tensorsOf(last.find((r) => r.graph === 'memory_attention')))).toEqual(['none']);
    expect(locations(tensorsOf(last.find((r) => r.graph === 'pointer_tpos')))).toEqual(['none']);
    // A second object, then the first removed: only its memories go.
    runs.length = 0;
    await core.addPrompt({ frameIndex: 21, frame: clip[21]!, objectId: 2, point_coords: [[184, 56]], point_labels: [1] });
    const second = [...tensorsOf(runs.find((r) => r.graph === 'memory_encoder')), runs.find((r) => r.graph === 'mask_decoder')!.tensors.object_pointer!];
    expect(core.stats().memories).toBe(19);
    core.removeObject(1);
    expect(core.stats()).toEqual({ memories: 1, locations: { cpu: 3 } });
    expect(locations([...memoryOf[0]!, ...memoryOf[21]!, pointerOf[0]!])).toEqual(['none']);
    expect(locations(second)).toEqual(['cpu']);
    core.reset();
    expect(core.stats()).toEqual({ memories: 0, locations: {} });
    expect(locations(second)).toEqual(['none']);
    // The frame's encoder outputs went with the reset as well.
    expect(locations(tensorsOf(runs.find((r) => r.graph === 'vision_encoder') ?? last.find((r) => r.graph === 'vision_encoder')))).toEqual(['none']);
    await core.close();
  });

  it('refuses an export whose tensor names do not match the manifest, naming them', async () => {
    const spec = fixtureSpec(256);
    const wrong = { ...spec, graphs: { ...spec.graphs, memory_attention: spec.graphs.pointer_tpos } };
    const err = await createVideoTracker({ worker: false, model: wrong }).catch((e) => e);
    expect(err).toBeInstanceOf(SegmentAnything2Error);
    expect(err.code).toBe('MODEL_LOAD');
    expect(err.message).toMatch(/memory_attention: missing inputs current_vision_features/);
  });
});
