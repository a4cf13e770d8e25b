/**
 * Memory mode: SAM2's video tracking on contract 1A graphs (the shared video contract (shared/docs/video-contract) §1A, §2). Per frame
 * the vision encoder runs once for all objects; per object, the memory bank (nearest conditioning
 * frame + the six previous frames by distance, object pointers with their temporal encodings) goes
 * through memory attention, the decoder, and the memory encoder. Tensor names come from a manifest.
 *
 * Memories stay where the graphs put them: on WebGPU the frame's features, the memory encoder's
 * outputs, the object pointers and every intermediate tensor are GPU buffers, and the bank is
 * assembled on the GPU (bank-graph.ts). Per object and frame only the low-res mask, the IoU and the
 * object score are read back. Tensors are disposed when their memory leaves the bank, on
 * removeObject, reset and close.
 */
import type { EngineIO } from '../engine/engine.js';
import type { OrtRuntime } from '../engine/ort-runtime.js';
import { throwIfAborted } from '../errors.js';
import type { ImageInput } from '../types.js';
import { MAX_POINTERS } from './bank.js';
import { checkFrameIndex, defaultStartFrame, mergeClicks, ObjectState, promptClicks, resultsAt, type CorePrompt, type TrackerCore } from './core.js';
import { checkManifest, type VideoConstants, type VideoManifest } from './manifest.js';
import { dispose, disposeState, MemoryGraphs, type EncodedFrame, type FrameState, type MemoryOptions, type MemorySessions } from './memory-graphs.js';
import type { VideoFrameResult } from './types.js';

export { gpuOutputs, type MemoryOptions, type MemorySessions, type RunInspector } from './memory-graphs.js';

/** Where the memory bank's tensors are (`MemoryCore.stats`). */
export interface MemoryStats {
  /** Memories held, over every object (conditioning and not). */
  readonly memories: number;
  /** Their tensors (3 a memory) by location: 'gpu-buffer' on WebGPU, 'cpu' on WASM. */
  readonly locations: Readonly<Record<string, number>>;
}

/** SAM2 keeps every memory; a frame only reads those up to 16 frames away, so older ones are dropped. */
const KEEP_DISTANCE = MAX_POINTERS;

export class MemoryCore implements TrackerCore {
  readonly mode = 'memory' as const;
  private readonly objects = new Map<number, ObjectState<FrameState>>();
  private frame?: EncodedFrame;
  /** Clip length for pointer distances; a stream counts as long. */
  private totalFrames = Number.MAX_SAFE_INTEGER;
  private closed = false;
  private readonly graphs: MemoryGraphs;
  readonly S: number;
  readonly F: number;
  readonly T: number;

  constructor(
    readonly modelId: string,
    private readonly runtime: OrtRuntime,
    private readonly sessions: MemorySessions,
    private readonly manifest: VideoManifest,
    private readonly constants: VideoConstants,
    private readonly io: EngineIO,
    private readonly options: MemoryOptions = {},
  ) {
    checkManifest(manifest, sessions);
    this.graphs = new MemoryGraphs(runtime, sessions, manifest, constants, options);
    this.S = constants.imageSize;
    this.F = this.S / 16;
    this.T = this.F * this.F;
  }

  /** Where the memories are, for tests and debugging. */
  stats(): MemoryStats {
    const locations: Record<string, number> = {};
    let memories = 0;
    for (const o of this.objects.values()) {
      for (const s of [...o.cond.values(), ...o.noncond.values()]) {
        memories++;
        for (const t of [s.tokens, s.pos, s.pointer]) locations[t.location] = (locations[t.location] ?? 0) + 1;
      }
    }
    return { memories, locations };
  }

  /** Stores `state` as `obj`'s non-conditioning memory of its frame, disposing the one it replaces. */
  private setNoncond(obj: ObjectState<FrameState>, state: FrameState): void {
    const old = obj.noncond.get(state.frameIndex);
    obj.noncond.set(state.frameIndex, state);
    if (old && old !== state) disposeState(old);
  }

  /** Disposes an object's memories. */
  private disposeObject(obj: ObjectState<FrameState>): void {
    for (const s of [...obj.cond.values(), ...obj.noncond.values()]) disposeState(s);
    obj.cond.clear();
    obj.noncond.clear();
  }

  /** The frame's encoder outputs, run once per frame index for all objects. */
  private async encode(frameIndex: number, image: ImageInput, signal?: AbortSignal): Promise<EncodedFrame> {
    if (this.frame?.frameIndex === frameIndex) return this.frame;
    const pixels = await this.io.decodeImage(image);
    throwIfAborted(signal);
    const m = this.manifest.vision_encoder;
    const outputs = await this.graphs.run('vision_encoder', { [m.inputs.pixels.name]: this.runtime.tensor(this.graphs.pixels(pixels), [1, 3, this.S, this.S]) }, signal);
    this.dropFrame();
    this.frame = { frameIndex, width: pixels.width, height: pixels.height, outputs };
    return this.frame;
  }

  private dropFrame(): void {
    if (this.frame) dispose(Object.values(this.frame.outputs));
    this.frame = undefined;
  }

  async addPrompt(prompt: CorePrompt, signal?: AbortSignal): Promise<VideoFrameResult> {
    const inPixels = promptClicks(prompt, this.modelId);
    const t = prompt.frameIndex;
    const frame = await this.encode(t, prompt.frame, signal);
    const obj = this.objects.get(prompt.objectId) ?? new ObjectState<FrameState>(prompt.objectId);
    const clicks = mergeClicks(obj.clicks.get(t), inPixels(frame.width, frame.height), prompt.clearOldPoints === true);
    // An initial prompt decodes the frame without memory (feats2_no_mem); a correction on a tracked
    // frame decodes its memory-conditioned features, as the reference does.
    const correction = obj.isTracked(t) && !obj.cond.has(t);
    const conditioned = correction ? await this.graphs.conditioned(frame, obj, false, this.totalFrames, signal) : undefined;
    let state: FrameState;
    try {
      state = await this.graphs.step(frame, obj.objectId, conditioned ?? frame.outputs[this.manifest.vision_encoder.outputs.feats2NoMem.name]!, clicks, signal);
    } finally {
      conditioned?.dispose();
    }
    this.objects.set(obj.objectId, obj);
    obj.clicks.set(t, clicks);
    const replaced = [obj.cond.get(t), obj.noncond.get(t)];
    obj.storePrompted(t, state, correction, this.options.correctionsAsConditioning === true);
    for (const old of replaced) if (old && obj.cond.get(t) !== old && obj.noncond.get(t) !== old) disposeState(old);
    return this.resultAt(t);
  }

  private resultAt(t: number): VideoFrameResult {
    return resultsAt(this.objects.values(), t);
  }

  async trackFrame(frameIndex: number, image: ImageInput, reverse: boolean, signal?: AbortSignal): Promise<VideoFrameResult> {
    checkFrameIndex(frameIndex);
    let frame: EncodedFrame | undefined;
    for (const o of this.objects.values()) {
      o.tracked.add(frameIndex);
      if (o.cond.has(frameIndex)) continue; // conditioning frames are reused
      if (o.cond.size === 0) continue;
      frame ??= await this.encode(frameIndex, image, signal);
      const conditioned = await this.graphs.conditioned(frame, o, reverse, this.totalFrames, signal);
      try {
        this.setNoncond(o, await this.graphs.step(frame, o.objectId, conditioned, undefined, signal));
      } finally {
        conditioned.dispose();
      }
      for (const [k, s] of o.noncond) {
        if (Math.abs(k - frameIndex) > KEEP_DISTANCE) {
          o.noncond.delete(k);
          disposeState(s);
        }
      }
    }
    return this.resultAt(frameIndex);
  }

  beginPropagation(startFrame: number | undefined, _reverse: boolean, totalFrames?: number): number {
    const start = startFrame ?? defaultStartFrame(this.objects.values());
    checkFrameIndex(start);
    this.totalFrames = totalFrames ?? Number.MAX_SAFE_INTEGER;
    return start;
  }

  removeObject(objectId: number): void {
    const obj = this.objects.get(objectId);
    if (obj) this.disposeObject(obj);
    this.objects.delete(objectId);
  }

  reset(): void {
    for (const o of this.objects.values()) this.disposeObject(o);
    this.objects.clear();
    this.dropFrame();
    this.totalFrames = Number.MAX_SAFE_INTEGER;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reset();
    await this.runtime.afterRuns(() => Promise.all(Object.values(this.sessions).map((s) => s.release())));
  }
}
