/** Reads a model's two files: local bytes or paths as they are, downloads checked and kept in the store. */
import type { ModelFile, ModelSource, ModelSpec } from './model-spec.js';
import { verifyModelBytes } from './download.js';
import { loadModelFile, type ModelFileRole, type ModelStore } from './model-store.js';

/** Progress of one model file; `fromCache` when it came from the model store. */
export interface ModelLoadProgress {
  readonly file: ModelFileRole;
  readonly url: string;
  readonly loaded: number;
  readonly total: number;
  readonly fromCache: boolean;
}

export interface ModelBytes {
  readonly encoder: Uint8Array;
  readonly decoder: Uint8Array;
}

export interface ModelLoadContext {
  /** Reads sources that are not http(s) downloads (bytes, file paths in Node). */
  readBytes(source: ModelSource, signal?: AbortSignal): Promise<Uint8Array>;
  readonly store?: ModelStore;
  readonly onProgress?: (progress: ModelLoadProgress) => void;
  readonly signal?: AbortSignal;
}

/** The source as a file description, or undefined for bytes in hand. */
function asFile(source: ModelSource): ModelFile | undefined {
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return undefined;
  return typeof source === 'object' && !(source instanceof URL) ? source : { url: String(source) };
}

async function readOne(model: ModelSpec, role: ModelFileRole, ctx: ModelLoadContext): Promise<Uint8Array> {
  const source = model[role];
  const file = asFile(source);
  if (!file || !/^https?:/i.test(file.url)) {
    // Local bytes or paths: no download, but a given size and digest are still checked.
    const data = await ctx.readBytes(file ? file.url : source, ctx.signal);
    if (file) await verifyModelBytes(file.url, data, file);
    return data;
  }
  const { data } = await loadModelFile(file, { modelId: model.id, version: model.version ?? '1', file: role }, {
    store: ctx.store,
    signal: ctx.signal,
    onProgress: ctx.onProgress && ((p) => ctx.onProgress!({ ...p, file: role })),
  });
  return data;
}

/** Both files of `model`, read in parallel. */
export async function readModel(model: ModelSpec, ctx: ModelLoadContext): Promise<ModelBytes> {
  const [encoder, decoder] = await Promise.all([readOne(model, 'encoder', ctx), readOne(model, 'decoder', ctx)]);
  return { encoder, decoder };
}
