/**
 * Reads a model's two files: local bytes or paths as they are, downloads checked and kept in the
 * store. Files that are entries of a zip archive are extracted from it; an archive that both files
 * name is read once.
 */
import { errorOf, errorText, SegmentAnything2Error, throwIfAborted } from '../errors.js';
import { splitSource, type ModelFile, type ModelSource, type ModelSpec } from './model-spec.js';
import { verifyModelBytes } from './download.js';
import { loadModelFile, type ModelFileKind, type ModelFileRole, type ModelStore } from './model-store.js';
import { extractZipEntry } from './zip.js';

/**
 * Progress of one download; `fromCache` when it came from the model store. `file` is `'archive'`
 * for a zip archive, which is one download for every file that comes from it.
 */
export interface ModelLoadProgress {
  readonly file: ModelFileKind;
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

/** One file or archive from its URL or, failing that, from each mirror in turn. */
async function fetchFile(model: ModelSpec, file: ModelFile, kind: ModelFileKind, ctx: ModelLoadContext): Promise<Uint8Array> {
  const urls = [file.url, ...(file.mirrors ?? [])];
  const failures: string[] = [];
  for (const url of urls) {
    try {
      return await fetchFrom(model, { ...file, url }, kind, ctx);
    } catch (e) {
      // A cancelled load stops; a failed source gives way to the next.
      if (urls.length === 1 || (SegmentAnything2Error.is(e) && e.code === 'ABORTED') || ctx.signal?.aborted) throw e;
      failures.push(`${url}: ${errorText(e)}`);
    }
  }
  throw errorOf('MODEL_LOAD', `Could not load the ${kind} file from any of its ${urls.length} sources. ${failures.join(' | ')}`);
}

/** One file or archive: read locally (size and digest still checked), or downloaded through the store. */
async function fetchFrom(model: ModelSpec, file: ModelFile, kind: ModelFileKind, ctx: ModelLoadContext): Promise<Uint8Array> {
  if (!/^https?:/i.test(file.url)) {
    const data = await ctx.readBytes(file.url, ctx.signal);
    await verifyModelBytes(file.url, data, file);
    return data;
  }
  const { data } = await loadModelFile(file, { modelId: model.id, version: model.version ?? '1', file: kind }, {
    store: ctx.store,
    signal: ctx.signal,
    onProgress: ctx.onProgress && ((p) => ctx.onProgress!({ ...p, file: kind })),
  });
  return data;
}

/** Both files of `model`, read in parallel; a zip archive named by both is read once. */
export async function readModel(model: ModelSpec, ctx: ModelLoadContext): Promise<ModelBytes> {
  const archives = new Map<string, Promise<Uint8Array>>();
  const readOne = async (role: ModelFileRole): Promise<Uint8Array> => {
    const source = model[role];
    const { file } = splitSource(source);
    if (!file) return ctx.readBytes(source, ctx.signal);
    if (file.entry === undefined) return fetchFile(model, file, role, ctx);
    const key = JSON.stringify([file.url, file.bytes, file.sha256]);
    let archive = archives.get(key);
    if (!archive) archives.set(key, (archive = fetchFile(model, file, 'archive', ctx)));
    const zip = await archive;
    throwIfAborted(ctx.signal);
    return extractZipEntry(zip, file.entry, file.url);
  };
  const [encoder, decoder] = await Promise.all([readOne('encoder'), readOne('decoder')]);
  return { encoder, decoder };
}
