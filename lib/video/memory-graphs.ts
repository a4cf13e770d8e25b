/**
 * The graphs of memory mode and the host code between them (lib/video/memory.ts keeps the objects,
 * their banks and the frame): one run per export graph, the bank assembly, and the per-object
 * decoder + memory encoder step. Tensors stay where the graphs put them (GPU buffers on WebGPU);
 * only the decoder's low-res mask, IoU and object score are read back.
 */
import type { OrtRuntime, OrtSession, OrtTensor } from '../engine/ort-runtime.js';
import { upsampleToImage } from '../pipeline/postprocess.js';
import { geometryFor, LOW_RES, type PixelImage } from '../pipeline/preprocess.js';
import { resizeAntialiased } from '../pipeline/resize.js';
import { MAX_POINTERS, MEM_DIM, normalizedDiffs, NUM_MASKMEM, planBank, selectPointers, selectSlots, type MemoryEntry } from './bank.js';
import { BANK_GRAPH } from './bank-graph.js';
import type { FrameClicks, ObjectState } from './core.js';
import type { VideoConstants, VideoGraph, VideoManifest } from './manifest.js';
import type { TrackedObject } from './types.js';

/** One object's state on one frame: its memory (for later frames; tensors where the graphs left them) and its result. */
export interface FrameState extends MemoryEntry {
  /** memory_tokens [T, 1, 64]. */
  readonly tokens: OrtTensor;
  /** memory_pos [T, 1, 64] (without the temporal encoding). */
  readonly pos: OrtTensor;
  /** object_pointer [1, 1, 256]. */
  readonly pointer: OrtTensor;
  readonly result: TrackedObject;
}

/** The vision encoder's outputs for one frame, shared by every object. */
export interface EncodedFrame {
  readonly frameIndex: number;
  readonly width: number;
  readonly height: number;
  readonly outputs: Record<string, OrtTensor>;
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

export function dispose(tensors: Iterable<OrtTensor | undefined>): void {
  for (const t of tensors) t?.dispose();
}

export function disposeState(s: FrameState): void {
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

export class MemoryGraphs {
  /** The square input size S of the vision encoder (constants.json). */
  readonly S: number;

  constructor(
    readonly runtime: OrtRuntime,
    readonly sessions: MemorySessions,
    readonly manifest: VideoManifest,
    readonly constants: VideoConstants,
    private readonly options: MemoryOptions = {},
  ) {
    this.S = constants.imageSize;
  }

  async run(graph: VideoGraph, feeds: Record<string, OrtTensor>, signal?: AbortSignal): Promise<Record<string, OrtTensor>> {
    const fetches = Object.values(this.manifest[graph].outputs).map((t) => t.name);
    const out = await this.runtime.run(this.sessions[graph], feeds, fetches, signal);
    this.options.inspect?.(graph, feeds, out);
    return out;
  }

  /** A CPU output's values (the decoder's mask, IoU and score: the only read-backs). */
  data(t: OrtTensor): Float32Array {
    return t.data as Float32Array;
  }

  /** Stretch to S×S (no letterbox), /255, then constants.json's mean and std; NCHW. */
  pixels(image: PixelImage): Float32Array {
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

  /**
   * Memory attention over `obj`'s bank for frame `t`: the decoder's feats2 input (the caller
   * disposes it). pointer_tpos, the bank assembly and the attention run where the memories are.
   */
  async conditioned(frame: EncodedFrame, obj: ObjectState<FrameState>, reverse: boolean, totalFrames: number, signal?: AbortSignal): Promise<OrtTensor> {
    const t = frame.frameIndex;
    const slots = selectSlots(t, reverse, obj.cond, obj.noncond);
    const pointers = selectPointers(t, reverse, obj.cond, obj.noncond, totalFrames);
    // Only conditioning frames ahead (tracking towards them): the fixed shape needs one pointer.
    if (pointers.length === 0) pointers.push({ entry: slots[0]!.entry, distance: Math.abs(t - slots[0]!.entry.frameIndex) });
    const plan = planBank(slots, pointers);
    const rt = this.runtime;
    const tp = this.manifest.pointer_tpos;
    const tpos = await this.run('pointer_tpos', { [tp.inputs.diffs.name]: rt.tensor(normalizedDiffs(pointers, totalFrames), [MAX_POINTERS]) }, signal);
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
  async step(frame: EncodedFrame, objectId: number, feats2: OrtTensor, clicks: FrameClicks | undefined, signal?: AbortSignal): Promise<FrameState> {
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
}
