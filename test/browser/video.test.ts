/** Video tracking through the video worker in headless Chromium. */
import { describe, expect, it, vi } from 'vitest';
import { useHarness } from './harness.js';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 300_000 });
const ctx = useHarness();

const VIDEO_FIXTURE = '/test/fixtures/models/video-256';

describe('video tracker in the worker (Chromium)', () => {
  it.each(['webgpu', 'wasm'] as const)('memory mode on %s: the contract-1A fixture follows a moving disk through the worker', async (device) => {
    const out = await ctx.page.evaluate(
      async ({ base, device }) => {
        const { sam } = window;
        const graphs = Object.fromEntries(['vision_encoder', 'mask_decoder', 'memory_encoder', 'memory_attention', 'pointer_tpos'].map((g) => [g, `${base}/${g}.onnx`]));
        const model = { kind: 'sam2-video' as const, id: 'fixture/video-256', graphs: graphs as never, constants: `${base}/constants.json` };
        const disk = (t: number) => ({ x: 40 + 6 * t, y: 104, r: 12, color: [255, 0, 0] as [number, number, number] });
        const clip = Array.from({ length: 6 }, (_, t) => sam.diskFrame(256, 256, [disk(t)], () => [0, 0, 0]));
        const tracker = await sam.createVideoTracker({ model, device });
        try {
          await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 2, point_coords: [[40, 104]], point_labels: [1] });
          const rows: Array<{ t: number; visible: boolean; dx: number; dy: number }> = [];
          for await (const r of tracker.propagate(clip)) {
            const o = r.objects[0]!;
            let [sx, sy, n] = [0, 0, 0];
            o.mask.data.forEach((v, i) => v && ((sx += i % 256), (sy += Math.floor(i / 256)), n++));
            rows.push({ t: r.frameIndex, visible: o.visible, dx: Math.abs(sx / n - disk(r.frameIndex).x), dy: Math.abs(sy / n - 104) });
          }
          return { mode: tracker.mode, backend: tracker.backend, rows };
        } finally {
          await tracker.close();
        }
      },
      { base: VIDEO_FIXTURE, device },
    );
    expect(out.mode).toBe('memory');
    expect(out.backend.device).toBe(device);
    expect(out.rows.map((r) => r.t)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of out.rows) {
      expect(r.visible, `frame ${r.t}`).toBe(true);
      // The fixture's masks are whole 16-px cells: the centroid stays within a cell of the disk.
      expect(r.dx, `frame ${r.t}`).toBeLessThan(16);
      expect(r.dy, `frame ${r.t}`).toBeLessThan(16);
    }
  });

  it('memory mode on WebGPU keeps the bank on the GPU (only masks, IoUs and scores are read back) and matches WASM mask for mask', async () => {
    const out = await ctx.page.evaluate(
      async ({ base }) => {
        const { sam } = window;
        const graphs = Object.fromEntries(['vision_encoder', 'mask_decoder', 'memory_encoder', 'memory_attention', 'pointer_tpos'].map((g) => [g, `${base}/${g}.onnx`]));
        const model = { kind: 'sam2-video' as const, id: 'fixture/video-256', graphs: graphs as never, constants: `${base}/constants.json` };
        const a = (t: number) => ({ x: 40 + 6 * t, y: 56, r: 12, color: [255, 0, 0] as [number, number, number] });
        const b = (t: number) => ({ x: 200 - 6 * t, y: 184, r: 12, color: [255, 0, 0] as [number, number, number] });
        const clip = Array.from({ length: 5 }, (_, t) => sam.diskFrame(256, 256, [a(t), b(t)], () => [0, 0, 0]));
        // Every GPU→CPU download maps a staging buffer for reading: count them, with their sizes.
        const reads: number[] = [];
        const mapAsync = GPUBuffer.prototype.mapAsync;
        GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, mode: number, ...rest: [number?, number?]) {
          if (mode & GPUMapMode.READ) reads.push(this.size);
          return mapAsync.call(this, mode, ...rest);
        };
        const run = async (device: 'webgpu' | 'wasm') => {
          // The downloads of each graph run (memory_attention's include the bank assembly's before it).
          const runs: Array<{ graph: string; reads: number[] }> = [];
          const { core, backend } = await sam.startTrackerCore(sam.browserPlatform, { model, device }, (graph) => runs.push({ graph, reads: reads.splice(0) }));
          const memory = core as unknown as { stats(): { memories: number; locations: Record<string, number> } };
          try {
            reads.length = 0;
            runs.length = 0;
            await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 1, point_coords: [[a(0).x, a(0).y]], point_labels: [1] });
            await core.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 2, point_coords: [[b(0).x, b(0).y]], point_labels: [1] });
            core.beginPropagation(undefined, false, clip.length);
            const frames = [];
            for (let t = 0; t < clip.length; t++) {
              const r = await core.trackFrame(t, clip[t]!, false);
              frames.push(r.objects.map((o) => ({ id: o.objectId, visible: o.visible, score: o.score, mask: o.mask.data })));
            }
            return { device: backend.device, runs, unattributed: reads.splice(0), frames, stats: memory.stats() };
          } finally {
            await core.close();
          }
        };
        const gpu = await run('webgpu');
        const cpu = await run('wasm');
        GPUBuffer.prototype.mapAsync = mapAsync;
        const strip = (r: typeof gpu) => ({ ...r, frames: r.frames.map((f) => f.map(({ mask, ...o }) => ({ ...o, area: mask.reduce((n, v) => n + v, 0) }))) });
        const differing = gpu.frames.map((f, t) => f.map((o, k) => o.mask.reduce((n, v, i) => n + (v !== cpu.frames[t]![k]!.mask[i] ? 1 : 0), 0)));
        return { gpu: strip(gpu), cpu: strip(cpu), differing };
      },
      { base: VIDEO_FIXTURE },
    );
    expect(out.gpu.device).toBe('webgpu');
    expect(out.cpu.device).toBe('wasm');
    // The same tracks on both backends, pixel for pixel.
    expect(out.gpu.frames).toEqual(out.cpu.frames);
    expect(out.differing).toEqual(out.gpu.frames.map((f) => f.map(() => 0)));
    for (const f of out.gpu.frames) for (const o of f) expect(o.visible && o.area > 0).toBe(true);
    // The bank's memories are GPU tensors (WASM: CPU ones): 2 objects × 5 frames, 3 tensors each.
    expect(out.gpu.stats).toEqual({ memories: 10, locations: { 'gpu-buffer': 30 } });
    expect(out.cpu.stats).toEqual({ memories: 10, locations: { cpu: 30 } });
    expect(out.cpu.runs.flatMap((r) => r.reads)).toEqual([]);
    // Per object and frame the host reads back the 256² low-res mask, the IoU and the object score,
    // and nothing else: no features, memories, pointers, high-res masks or bank. Frame 0 (the
    // prompted one) is reused.
    const { runs, unattributed } = out.gpu;
    expect(unattributed).toEqual([]);
    expect(runs.filter((r) => r.graph === 'memory_attention')).toHaveLength(2 * 4);
    for (const r of runs) {
      expect([...r.reads].sort((x, y) => x - y), r.graph).toEqual(r.graph === 'mask_decoder' ? [16, 16, 256 * 256 * 4] : []);
    }
  });

  it('propagation mode: the embedded model follows a moving disk on WASM, from RawImage and VideoFrame frames', async () => {
    const out = await ctx.page.evaluate(async () => {
      const { sam } = window;
      const W = 256;
      const H = 192;
      const disk = (t: number) => ({ x: 70 + 14 * t, y: 80 + 6 * t, r: 34, color: [220, 60, 40] as [number, number, number] });
      const clip = [0, 1, 2, 3].map((t) => sam.diskFrame(W, H, [disk(t)]));
      /** Frame 3 as a WebCodecs VideoFrame drawn from a canvas. */
      const canvas = new OffscreenCanvas(W, H);
      canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(clip[3]!.data), W, H), 0, 0);
      const videoFrame = new VideoFrame(canvas, { timestamp: 0 });
      const tracker = await sam.createVideoTracker({ device: 'wasm' });
      try {
        const first = await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: 5, point_coords: [[disk(0).x, disk(0).y]], point_labels: [1] });
        const ious = [sam.maskIou(first.objects[0]!.mask, sam.inside(disk(0)))];
        const indices = [first.frameIndex];
        for await (const r of tracker.propagate(clip.slice(0, 3), { startFrame: 1 })) {
          indices.push(r.frameIndex);
          ious.push(sam.maskIou(r.objects[0]!.mask, sam.inside(disk(r.frameIndex))));
        }
        const last = await tracker.track(videoFrame);
        indices.push(last.frameIndex);
        ious.push(sam.maskIou(last.objects[0]!.mask, sam.inside(disk(3))));
        return { mode: tracker.mode, backend: tracker.backend.device, ids: last.objects.map((o) => o.objectId), dims: last.objects[0]!.mask.dims, indices, ious };
      } finally {
        videoFrame.close();
        await tracker.close();
      }
    });
    expect(out.mode).toBe('propagation');
    expect(out.backend).toBe('wasm');
    expect(out.ids).toEqual([5]);
    expect(out.dims).toEqual([192, 256]);
    expect(out.indices).toEqual([0, 1, 2, 3]);
    for (const [t, iou] of out.ious.entries()) expect(iou, `frame ${t}`).toBeGreaterThanOrEqual(0.9);
  });
});
