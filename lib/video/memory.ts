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
import type { OrtRuntime, OrtSession, OrtTensor } from '../engine/ort-runtime.js';
import { throwIfAborted } from '../errors.js';
import { upsampleToImage } from '../pipeline/postprocess.js';
import { geometryFor, LOW_RES, type PixelImage } from '../pipeline/preprocess.js';
import { resizeAntialiased } from '../pipeline/resize.js';
import type { ImageInput } from '../types.js';
import { MAX_POINTERS, MEM_DIM, normalizedDiffs, NUM_MASKMEM, planBank, selectPointers, selectSlots, type MemoryEntry } from './bank.js';
import { BANK_GRAPH } from './bank-graph.js';
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

/** One object's state on one frame: its memory (for later frames; tensors where the graphs left them) and its result. */
interface FrameState extends MemoryEntry {
  /** memory_tokens [T, 1, 64]. */
  readonly tokens: OrtTensor;
  /** memory_pos [T, 1, 64] (without the temporal encoding). */
  readonly pos: OrtTensor;
  /** object_pointer [1, 1, 256]. */
  readonly pointer: OrtTensor;
  readonly result: TrackedObject;
}

/** The vision encoder's outputs for one frame, shared by every object. */
interface EncodedFrame {
  readonly frameIndex: number;
  readonly width: number;
  readonly height: number;
  readonly outputs: Record<string, OrtTensor>;
}

/** Where the memory bank's tensors are (`MemoryCore.stats`). */
export interface MemoryStats {
  /** Memories held, over every object (conditioning and not). */
  readonly memories: number;
  /** Their tensors (3 a memory) by location: 'gpu-buffer' on WebGPU, 'cpu' on WASM. */
  readonly locations: Readonly<Record<string, number>>;
}

/** Sessions of the five export graphs and of the bank assembly. */
export type MemorySessions = Record<VideoGraph | 'bank', OrtSession>;

/**
 * The outputs of each graph that stay on the GPU on WebGPU: everything but what the host decides
 * with (the decoder's low-res mask, IoU and object score).
 */
export function gpuOutputs(manifest: VideoManifest, graph: VideoGraph | 'bank'): string[] {
  if (graph === 'bank') return Object.values(BANK_GRAPH.outputs);
  if (graph === 'mask_decoder') return [manifest.mask_decoder.outputs.highRes.name, manifest.mask_decoder.outputs.pointer.name];
  return Object.values(manifest[graph].outputs).map((t: { name: string }) => t.name);
}

function dispose(tensors: Iterable<OrtTensor | undefined>): void {
  for (const t of tensors) t?.dispose();
}

function disposeState(s: FrameState): void {
  dispose([s.tokens, s.pos, s.pointer]);
}

/**
 * A hook that sees every run of the export graphs (tests pin the feeds with it). It sees tensors
 * where they are: reading `data` works on WASM only (GPU tensors are not read back for it).
 */
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
    private readonly sessions: MemorySessions,
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

  /** A CPU output's values (the decoder's mask, IoU and score: the only read-backs). */
  private data(t: OrtTensor): Float32Array {
    return t.data as Float32Array;
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
    this.dropFrame();
    this.frame = { frameIndex, width: pixels.width, height: pixels.height, outputs };
    return this.frame;
  }

  private dropFrame(): void {
    if (this.frame) dispose(Object.values(this.frame.outputs));
    this.frame = undefined;
  }

  /**
   * Memory attention over `obj`'s bank for frame `t`: the decoder's feats2 input (the caller
   * disposes it). pointer_tpos, the bank assembly and the attention run where the memories are.
   */
  private async conditioned(frame: EncodedFrame, obj: ObjectState<FrameState>, reverse: boolean, signal?: AbortSignal): Promise<OrtTensor> {
    const t = frame.frameIndex;
    const slots = selectSlots(t, reverse, obj.cond, obj.noncond);
    const pointers = selectPointers(t, reverse, obj.cond, obj.noncond, this.totalFrames);
    // Only conditioning frames ahead (tracking towards them): the fixed shape needs one pointer.
    if (pointers.length === 0) pointers.push({ entry: slots[0]!.entry, distance: Math.abs(t - slots[0]!.entry.frameIndex) });
    const plan = planBank(slots, pointers);
    const rt = this.runtime;
    const tp = this.manifest.pointer_tpos;
    const tpos = await this.run('pointer_tpos', { [tp.inputs.diffs.name]: rt.tensor(normalizedDiffs(pointers, this.totalFrames), [MAX_POINTERS]) }, signal);
    const slotTpos = new Float32Array(NUM_MASKMEM * MEM_DIM);
    plan.tposRows.forEach((row, s) => slotTpos.set(this.constants.tpos[row]!, s * MEM_DIM));
    const enc = this.manifest.vision_encoder.outputs;
    const feeds: Record<string, OrtTensor> = {
      [BANK_GRAPH.feats]: frame.outputs[enc.feats2.name]!,
      [BANK_GRAPH.pos]: frame.outputs[enc.pos.name]!,
      [BANK_GRAPH.slotTpos]: rt.tensor(slotTpos, [NUM_MASKMEM, 1, MEM_DIM]),
      [BANK_GRAPH.pointerPos]: tpos[tp.outputs.pointerPos.name]!,
    };
    plan.slots.forEach((e, s) => {
      feeds[BANK_GRAPH.slotTokens(s)] = e.tokens;
      feeds[BANK_GRAPH.slotPos(s)] = e.pos;
    });
    plan.pointers.forEach((e, i) => (feeds[BANK_GRAPH.pointer(i)] = e.pointer));
    let bank: Record<string, OrtTensor>;
    try {
      bank = await rt.run(this.sessions.bank, feeds, Object.values(BANK_GRAPH.outputs), signal);
    } finally {
      dispose(Object.values(tpos));
    }
    const a = this.manifest.memory_attention;
    const b = BANK_GRAPH.outputs;
    try {
      const out = await this.run(
        'memory_attention',
        {
          [a.inputs.feats.name]: bank[b.feats]!,
          [a.inputs.pos.name]: bank[b.pos]!,
          [a.inputs.memory.name]: bank[b.memory]!,
          [a.inputs.memoryPos.name]: bank[b.memoryPos]!,
        },
        signal,
      );
      return out[a.outputs.conditioned.name]!;
    } finally {
      dispose(Object.values(bank));
    }
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
    const pointer = out[d.outputs.pointer.name]!;
    const me = this.manifest.memory_encoder;
    let mem: Record<string, OrtTensor>;
    try {
      mem = await this.run(
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
    } catch (e) {
      pointer.dispose();
      throw e;
    } finally {
      out[d.outputs.highRes.name]!.dispose();
    }
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
    return { frameIndex: frame.frameIndex, tokens: mem[me.outputs.tokens.name]!, pos: mem[me.outputs.pos.name]!, pointer, result };
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
    const conditioned = correction ? await this.conditioned(frame, obj, false, signal) : undefined;
    let state: FrameState;
    try {
      state = await this.step(frame, obj.objectId, conditioned ?? frame.outputs[this.manifest.vision_encoder.outputs.feats2NoMem.name]!, clicks, signal);
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
      const conditioned = await this.conditioned(frame, o, reverse, signal);
      try {
        this.setNoncond(o, await this.step(frame, o.objectId, conditioned, undefined, signal));
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
