/**
 * Per-export manifests of tensor names: the adapter between the memory tracker and the graphs. The
 * tracker names tensors by role; a manifest says what each export calls them, and the sessions are
 * checked against it at load, so another export family (contract 1B, dynamic memory) is a second
 * manifest and a second bank assembly, not a rewrite.
 */
import { errorOf } from '../errors.js';

export type VideoGraph = 'vision_encoder' | 'mask_decoder' | 'memory_encoder' | 'memory_attention' | 'pointer_tpos';
export const VIDEO_GRAPHS: readonly VideoGraph[] = ['vision_encoder', 'mask_decoder', 'memory_encoder', 'memory_attention', 'pointer_tpos'];

export interface TensorSpec {
  readonly name: string;
  readonly rank: number;
  readonly type: 'float32' | 'int32';
}

const f = (name: string, rank: number): TensorSpec => ({ name, rank, type: 'float32' });

/** Contract 1A (the shared video contract (shared/docs/video-contract) §1A): fixed shapes; memory [7T + 64, 1, 64]. */
export const MANIFEST_1A = {
  id: '1A',
  vision_encoder: {
    inputs: { pixels: f('pixel_values', 4) },
    outputs: { feats0: f('feats0', 4), feats1: f('feats1', 4), feats2: f('feats2', 4), feats2NoMem: f('feats2_no_mem', 4), pos: f('vision_pos_embed', 4) },
  },
  mask_decoder: {
    inputs: { feats0: f('feats0', 4), feats1: f('feats1', 4), feats2: f('feats2_cond', 4), points: f('input_points', 4), labels: { name: 'input_labels', rank: 3, type: 'int32' } as TensorSpec },
    outputs: { lowRes: f('low_res_mask', 4), highRes: f('high_res_mask', 4), iou: f('iou', 2), score: f('object_score_logits', 3), pointer: f('object_pointer', 3) },
  },
  memory_encoder: {
    inputs: { feats2: f('feats2', 4), highRes: f('high_res_mask', 4), score: f('object_score_logits', 2), binarize: f('binarize', 0) },
    outputs: { tokens: f('memory_tokens', 3), pos: f('memory_pos', 3) },
  },
  memory_attention: {
    inputs: { feats: f('current_vision_features', 3), pos: f('current_vision_position_embeddings', 3), memory: f('memory', 3), memoryPos: f('memory_pos', 3) },
    outputs: { conditioned: f('conditioned_feats', 4) },
  },
  pointer_tpos: {
    inputs: { diffs: f('normalized_diffs', 1) },
    outputs: { pointerPos: f('pointer_pos', 2) },
  },
} as const;

export type VideoManifest = typeof MANIFEST_1A;

/** What a session reports about itself (onnxruntime-web's InferenceSession). */
export interface SessionNames {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

/**
 * Checks that each graph's session has exactly the manifest's input names and at least its output
 * names; throws MODEL_LOAD naming what is missing and what the session has.
 */
export function checkManifest(manifest: VideoManifest, sessions: Record<VideoGraph, SessionNames>): void {
  const problems: string[] = [];
  for (const graph of VIDEO_GRAPHS) {
    const want = manifest[graph];
    const s = sessions[graph];
    const inputs = Object.values(want.inputs).map((t: TensorSpec) => t.name);
    const outputs = Object.values(want.outputs).map((t: TensorSpec) => t.name);
    const missingIn = inputs.filter((n) => !s.inputNames.includes(n));
    const extraIn = s.inputNames.filter((n) => !inputs.includes(n));
    const missingOut = outputs.filter((n) => !s.outputNames.includes(n));
    if (missingIn.length || extraIn.length || missingOut.length) {
      problems.push(
        `${graph}: ${[missingIn.length ? `missing inputs ${missingIn.join(', ')}` : '', extraIn.length ? `unexpected inputs ${extraIn.join(', ')}` : '', missingOut.length ? `missing outputs ${missingOut.join(', ')}` : ''].filter(Boolean).join('; ')} (it has inputs ${s.inputNames.join(', ')}; outputs ${s.outputNames.join(', ')})`,
      );
    }
  }
  if (problems.length) {
    throw errorOf('MODEL_LOAD', `The video model does not match contract ${manifest.id}: ${problems.join(' | ')}.`);
  }
}

/** constants.json, as far as the tracker relies on it: geometry and pixel statistics, and the tpos table. */
export interface VideoConstants {
  /** S: the square input side; F = S/16, T = F². */
  readonly imageSize: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** 7 rows of 64: `memory_temporal_positional_encoding`. */
  readonly tpos: readonly Float32Array[];
}

/** Reads constants.json (both spellings seen in the public exports); throws MODEL_LOAD when it lacks what the tracker needs. */
export function parseConstants(json: unknown): VideoConstants {
  const bad = (msg: string) => errorOf('MODEL_LOAD', `constants.json: ${msg}`);
  if (typeof json !== 'object' || json === null) throw bad('not a JSON object');
  const c = json as Record<string, unknown>;
  const size = c.image_size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size % 16 !== 0 || size <= 0) throw bad(`image_size must be a positive multiple of 16, got ${String(size)}`);
  const triple = (v: unknown, name: string): [number, number, number] => {
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number')) throw bad(`${name} must be 3 numbers`);
    return v as [number, number, number];
  };
  const table = c.memory_temporal_positional_encoding;
  if (!Array.isArray(table) || table.length !== 7) throw bad('memory_temporal_positional_encoding must have 7 rows');
  const tpos = table.map((row, i) => {
    const flat = Array.isArray(row) ? (row.flat(3) as unknown[]) : [];
    if (flat.length !== 64 || !flat.every((x) => typeof x === 'number')) throw bad(`memory_temporal_positional_encoding row ${i} must hold 64 numbers`);
    return Float32Array.from(flat as number[]);
  });
  return { imageSize: size, mean: triple(c.image_mean, 'image_mean'), std: triple(c.image_std, 'image_std'), tpos };
}
