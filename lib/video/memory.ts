/**
 * Memory mode: SAM2's video tracking on contract 1A graphs (the shared video contract (shared/docs/video-contract) §1A, §2). Per frame
 * the vision encoder runs once for all objects; per object, the memory bank (nearest conditioning
 * frame + the six previous frames by distance, object pointers with their temporal encodings) goes
 * through memory attention, the decoder, and the memory encoder. Tensor names come from a manifest.
 */
import type { EngineIO } from '../engine/engine.js';
import type { OrtRuntime, OrtSession, OrtTensor } from '../engine/ort-runtime.js';
import { throwIfAborted } from '../errors.js';
import { upsampleToImage } from '../pipeline/postprocess.js';
import { geometryFor, LOW_RES, type PixelImage } from '../pipeline/preprocess.js';
import { resizeAntialiased } from '../pipeline/resize.js';
import type { ImageInput } from '../types.js';
import { assembleBank, MAX_POINTERS, normalizedDiffs, selectPointers, selectSlots, toTokenMajor, type MemoryEntry } from './bank.js';
import {
  checkFrameIndex,
  defaultStartFrame,
  mergeClicks,
  ObjectState,
  promptClicks,
  resultsAt,
  type CorePrompt,
  type FrameClicks,
  type TrackerCore,
} from './core.js';
import { checkManifest, type VideoConstants, type VideoGraph, type VideoManifest } from './manifest.js';
import type { TrackedObject, VideoFrameResult } from './types.js';

/** One object's state on one frame: its memory (for later frames) and its result. */
interface FrameState extends MemoryEntry {
  readonly result: TrackedObject;
}

/** The vision encoder's outputs for one frame, shared by every object. */
interface EncodedFrame {
  readonly frameIndex: number;
  readonly width: number;
  readonly height: number;
  readonly outputs: Record<string, OrtTensor>;
  /** feats2 and vision_pos_embed, token-major [T, 1, 256]. */
  readonly featsTokens: Float32Array;
  readonly posTokens: Float32Array;
}

/** A hook that sees every graph run (tests pin the feeds with it). */
export type RunInspector = (graph: VideoGraph, feeds: Record<string, OrtTensor>, outputs: Record<string, OrtTensor>) => void;

export interface MemoryOptions {
  readonly returnLogits?: boolean;
  readonly correctionsAsConditioning?: boolean;
  readonly inspect?: RunInspector;
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
  readonly S: number;
  readonly F: number;
  readonly T: number;

  constructor(
    readonly modelId: string,
    private readonly runtime: OrtRuntime,
    private readonly sessions: Record<VideoGraph, OrtSession>,
    private readonly manifest: VideoManifest,
    private readonly constants: VideoConstants,
    private readonly io: EngineIO,
    private readonly options: MemoryOptions = {},
  ) {
    checkManifest(manifest, sessions);
    this.S = constants.imageSize;
    this.F = this.S / 16;
    this.T = this.F * this.F;
  }

  private async run(graph: VideoGraph, feeds: Record<string, OrtTensor>, signal?: AbortSignal): Promise<Record<string, OrtTensor>> {
    const fetches = Object.values(this.manifest[graph].outputs).map((t) => t.name);
    const out = await this.runtime.run(this.sessions[graph], feeds, fetches, signal);
    this.options.inspect?.(graph, feeds, out);
    return out;
  }

  private data(t: OrtTensor): Float32Array {
    return t.data as Float32Array;
  }

  /** Stretch to S×S (no letterbox), /255, then constants.json's mean and std; NCHW. */
  private pixels(image: PixelImage): Float32Array {
    const { data, width, height, channels } = image;
    const n = width * height;
    const planar = new Float32Array(3 * n);
    for (let i = 0, p = 0; i < n; i++, p += channels) {
      planar[i] = data[p]! / 255;
      planar[n + i] = data[p + 1]! / 255;
      planar[2 * n + i] = data[p + 2]! / 255;
    }
    const S = this.S;
    const t = resizeAntialiased(planar, { channels: 3, inW: width, inH: height, outW: S, outH: S });
    const { mean, std } = this.constants;
    for (let c = 0; c < 3; c++) for (let i = c * S * S; i < (c + 1) * S * S; i++) t[i] = (t[i]! - mean[c]!) / std[c]!;
    return t;
  }

  /** The frame's encoder outputs, run once per frame index for all objects. */
  private async encode(frameIndex: number, image: ImageInput, signal?: AbortSignal): Promise<EncodedFrame> {
    if (this.frame?.frameIndex === frameIndex) return this.frame;
    const pixels = await this.io.decodeImage(image);
    throwIfAborted(signal);
    const m = this.manifest.vision_encoder;
    const outputs = await this.run('vision_encoder', { [m.inputs.pixels.name]: this.runtime.tensor(this.pixels(pixels), [1, 3, this.S, this.S]) }, signal);
    const frame: EncodedFrame = {
      frameIndex,
      width: pixels.width,
      height: pixels.height,
      outputs,
      featsTokens: toTokenMajor(this.data(outputs[m.outputs.feats2.name]!), 256, this.T),
      posTokens: toTokenMajor(this.data(outputs[m.outputs.pos.name]!), 256, this.T),
    };
    this.frame = frame;
    return frame;
  }

  /** Memory attention over `obj`'s bank for frame `t`: the decoder's feats2 input. */
  private async conditioned(frame: EncodedFrame, obj: ObjectState<FrameState>, reverse: boolean, signal?: AbortSignal): Promise<OrtTensor> {
    const t = frame.frameIndex;
    const slots = selectSlots(t, reverse, obj.cond, obj.noncond);
    const pointers = selectPointers(t, reverse, obj.cond, obj.noncond, this.totalFrames);
    // Only conditioning frames ahead (tracking towards them): the fixed shape needs one pointer.
    if (pointers.length === 0) pointers.push({ entry: slots[0]!.entry, distance: Math.abs(t - slots[0]!.entry.frameIndex) });
    const tp = this.manifest.pointer_tpos;
    const tpos = await this.run('pointer_tpos', { [tp.inputs.diffs.name]: this.runtime.tensor(normalizedDiffs(pointers, this.totalFrames), [MAX_POINTERS]) }, signal);
    const { memory, memoryPos } = assembleBank(slots, pointers, this.data(tpos[tp.outputs.pointerPos.name]!), this.constants.tpos, this.T);
    const a = this.manifest.memory_attention;
    const rows = memory.length / 64;
    const out = await this.run(
      'memory_attention',
      {
        [a.inputs.feats.name]: this.runtime.tensor(frame.featsTokens, [this.T, 1, 256]),
        [a.inputs.pos.name]: this.runtime.tensor(frame.posTokens, [this.T, 1, 256]),
        [a.inputs.memory.name]: this.runtime.tensor(memory, [rows, 1, 64]),
        [a.inputs.memoryPos.name]: this.runtime.tensor(memoryPos, [rows, 1, 64]),
      },
      signal,
    );
    return out[a.outputs.conditioned.name]!;
  }

  /**
   * Decoder + memory encoder for one object: clicks (box corners as labels 2, 3 first, coordinates
   * stretched to S) or the padding point (0, 0, −1) when there are none; `binarize` when clicks were given.
   */
  private async step(frame: EncodedFrame, objectId: number, feats2: OrtTensor, clicks: FrameClicks | undefined, signal?: AbortSignal): Promise<FrameState> {
    const rt = this.runtime;
    const d = this.manifest.mask_decoder;
    const enc = this.manifest.vision_encoder.outputs;
    const sx = this.S / frame.width;
    const sy = this.S / frame.height;
    const pts: number[] = [];
    const labels: number[] = [];
    if (clicks?.box) {
      const [x0, y0, x1, y1] = clicks.box;
      pts.push(x0 * sx, y0 * sy, x1 * sx, y1 * sy);
      labels.push(2, 3);
    }
    for (let i = 0; i < (clicks?.labels.length ?? 0); i++) {
      pts.push(clicks!.points[2 * i]! * sx, clicks!.points[2 * i + 1]! * sy);
      labels.push(clicks!.labels[i]!);
    }
    const prompted = labels.length > 0;
    if (!prompted) {
      pts.push(0, 0);
      labels.push(-1);
    }
    const n = labels.length;
    const out = await this.run(
      'mask_decoder',
      {
        [d.inputs.feats0.name]: frame.outputs[enc.feats0.name]!,
        [d.inputs.feats1.name]: frame.outputs[enc.feats1.name]!,
        [d.inputs.feats2.name]: feats2,
        [d.inputs.points.name]: rt.tensor(Float32Array.from(pts), [1, 1, n, 2]),
        [d.inputs.labels.name]: new rt.ort.Tensor('int32', Int32Array.from(labels), [1, 1, n]),
      },
      signal,
    );
    const score = this.data(out[d.outputs.score.name]!)[0]!;
    const me = this.manifest.memory_encoder;
    const mem = await this.run(
      'memory_encoder',
      {
        [me.inputs.feats2.name]: frame.outputs[enc.feats2.name]!,
        [me.inputs.highRes.name]: out[d.outputs.highRes.name]!,
        // The decoder's [1, 1, 1] score, reshaped to the memory encoder's [1, 1].
        [me.inputs.score.name]: rt.tensor(Float32Array.of(score), [1, 1]),
        [me.inputs.binarize.name]: rt.tensor(Float32Array.of(prompted ? 1 : 0), []),
      },
      signal,
    );
    const lowRes = this.data(out[d.outputs.lowRes.name]!).slice(0, LOW_RES * LOW_RES);
    const visible = score > 0;
    const { width, height } = frame;
    const logits = new Float32Array(width * height);
    upsampleToImage(lowRes, 0, geometryFor('sam2', width, height), logits);
    const mask = new Uint8Array(width * height);
    if (visible) for (let i = 0; i < mask.length; i++) mask[i] = logits[i]! > 0 ? 1 : 0;
    const result: TrackedObject = {
      objectId,
      mask: { data: mask, dims: [height, width] },
      score: this.data(out[d.outputs.iou.name]!)[0]!,
      visible,
      ...(this.options.returnLogits ? { logits: { data: lowRes.map((v) => Math.min(32, Math.max(-32, v))), dims: [LOW_RES, LOW_RES] } } : {}),
    };
    return {
      frameIndex: frame.frameIndex,
      tokens: this.data(mem[me.outputs.tokens.name]!).slice(),
      pos: this.data(mem[me.outputs.pos.name]!).slice(),
      pointer: this.data(out[d.outputs.pointer.name]!).slice(),
      result,
    };
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
    const feats2 = correction ? await this.conditioned(frame, obj, false, signal) : frame.outputs[this.manifest.vision_encoder.outputs.feats2NoMem.name]!;
    const state = await this.step(frame, obj.objectId, feats2, clicks, signal);
    this.objects.set(obj.objectId, obj);
    obj.clicks.set(t, clicks);
    obj.storePrompted(t, state, correction, this.options.correctionsAsConditioning === true);
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
      const state = await this.step(frame, o.objectId, await this.conditioned(frame, o, reverse, signal), undefined, signal);
      o.noncond.set(frameIndex, state);
      for (const k of o.noncond.keys()) if (Math.abs(k - frameIndex) > KEEP_DISTANCE) o.noncond.delete(k);
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
    this.objects.delete(objectId);
  }

  reset(): void {
    this.objects.clear();
    this.frame = undefined;
    this.totalFrames = Number.MAX_SAFE_INTEGER;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reset();
    await this.runtime.afterRuns(() => Promise.all(Object.values(this.sessions).map((s) => s.release())));
  }
}
