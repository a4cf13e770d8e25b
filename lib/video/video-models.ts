/**
 * SAM2.1 video exports (contract 1A) as model specs, and their loading: five graphs and
 * constants.json, each downloaded with progress and kept in the model store like image models.
 *
 * Registry entries: the Hugging Face repositories named in the shared video contract (shared/docs/video-contract) §1A. The file layout
 * (`onnx/<graph>.onnx` and `constants.json` at the root) is the one the square-zero-labs model card
 * lists and that public consumers download; the square-zero-labs and diffusionstudio tiny entries are
 * pinned to the revisions those consumers pin (3b2984dd… and 66673b5d…), the other sizes to `main`.
 * None could be fetched here: sizes and digests are not pinned, so the files are length-checked only
 * and not kept in the model store.
 */
import { errorOf } from '../errors.js';
import { readModel, type ModelLoadContext } from '../models/model-loader.js';
import type { ModelSource } from '../models/model-spec.js';
import { VIDEO_GRAPHS, type VideoGraph } from './manifest.js';

export interface VideoModelSpec {
  readonly kind: 'sam2-video';
  readonly id: string;
  /** Part of the model store's key. @defaultValue `'1'` */
  readonly version?: string;
  /** The export contract (the tensor-name manifest). @defaultValue `'1A'` */
  readonly contract?: '1A';
  readonly graphs: Readonly<Record<VideoGraph, ModelSource>>;
  /** constants.json: bytes, a URL, or the parsed object. */
  readonly constants: ModelSource | Record<string, unknown>;
}

export function isVideoModelSpec(v: unknown): v is VideoModelSpec {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'sam2-video';
}

function hfExport(repo: string, revision = 'main'): VideoModelSpec {
  const base = `https://huggingface.co/${repo}/resolve/${revision}`;
  const graphs = Object.fromEntries(VIDEO_GRAPHS.map((g) => [g, `${base}/onnx/${g}.onnx`])) as Record<VideoGraph, string>;
  return { kind: 'sam2-video', id: repo, version: `hf-${revision.slice(0, 12)}`, contract: '1A', graphs, constants: `${base}/constants.json` };
}

/** The public contract-1A exports, by id. */
export const SAM2_VIDEO_MODELS: Readonly<Record<string, VideoModelSpec>> = Object.fromEntries(
  [
    hfExport('square-zero-labs/sam2.1-tiny-video-onnx', '3b2984dd865f6e9d2cc6aed0be6a5a5c2eb352ce'),
    hfExport('diffusionstudio/sam2.1-tiny-video-onnx-fp16', '66673b5db39371b7dd7847f4d3bc0d4f4179b79e'),
    hfExport('diffusionstudio/sam2.1-small-video-onnx-fp16'),
    hfExport('diffusionstudio/sam2.1-base-plus-video-onnx-fp16'),
    hfExport('diffusionstudio/sam2.1-large-video-onnx-fp16'),
  ].map((m) => [m.id, m]),
);

export interface VideoModelBytes {
  readonly graphs: Record<VideoGraph, Uint8Array>;
  readonly constants: unknown;
}

/**
 * Reads the five graphs and constants.json, one after the other (large files), through the image
 * models' loader: downloads are checked, reported to `onProgress` and kept in the store under
 * `<id>/<graph>`.
 */
export async function readVideoModel(model: VideoModelSpec, ctx: ModelLoadContext): Promise<VideoModelBytes> {
  const none = new Uint8Array(0);
  const one = async (name: string, source: ModelSource) => {
    const read = await readModel({ id: `${model.id}/${name}`, version: model.version ?? '1', encoder: source, decoder: none }, ctx);
    await read.stored;
    return read.encoder;
  };
  const graphs = {} as Record<VideoGraph, Uint8Array>;
  for (const g of VIDEO_GRAPHS) graphs[g] = await one(g, model.graphs[g]);
  const c = model.constants;
  const isSource = typeof c === 'string' || c instanceof URL || c instanceof ArrayBuffer || c instanceof Uint8Array || (typeof c === 'object' && c !== null && typeof (c as { url?: unknown }).url === 'string');
  if (!isSource) return { graphs, constants: c };
  const bytes = await one('constants', c as ModelSource);
  try {
    return { graphs, constants: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch (cause) {
    throw errorOf('MODEL_LOAD', `constants.json of ${model.id} is not valid JSON.`, cause);
  }
}
