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

/** {@link ModelBytes}, and the writes of downloaded files to the store, still in flight. */
export interface ReadModel extends ModelBytes {
  /** Settles when every downloaded file is kept (rejects if a write failed): await it before reporting the model loaded. */
  readonly stored: Promise<void>;
}

export interface ModelLoadContext {
  /** Reads sources that are not http(s) downloads (bytes, file paths in Node). */
  readBytes(source: ModelSource, signal?: AbortSignal): Promise<Uint8Array>;
  readonly store?: ModelStore;
  readonly onProgress?: (progress: ModelLoadProgress) => void;
  readonly signal?: AbortSignal;
}

/** A file's bytes and its write to the store (settled when there is none). */
interface Fetched {
  readonly data: Uint8Array;
  readonly stored: Promise<void>;
}

/** One file or archive from its URL or, failing that, from each mirror in turn. */
async function fetchFile(model: ModelSpec, file: ModelFile, kind: ModelFileKind, ctx: ModelLoadContext): Promise<Fetched> {
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
async function fetchFrom(model: ModelSpec, file: ModelFile, kind: ModelFileKind, ctx: ModelLoadContext): Promise<Fetched> {
  if (!/^https?:/i.test(file.url)) {
    const data = await ctx.readBytes(file.url, ctx.signal);
    await verifyModelBytes(file.url, data, file);
    return { data, stored: Promise.resolve() };
  }
  const { data, stored } = await loadModelFile(file, { modelId: model.id, version: model.version ?? '1', file: kind }, {
    store: ctx.store,
    signal: ctx.signal,
    onProgress: ctx.onProgress && ((p) => ctx.onProgress!({ ...p, file: kind })),
  });
  return { data, stored };
}

/**
 * Both files of `model`, read in parallel; a zip archive named by both is read once. Downloads are
 * written to the store in the background: `stored` settles when they are kept.
 */
export async function readModel(model: ModelSpec, ctx: ModelLoadContext): Promise<ReadModel> {
  const archives = new Map<string, Promise<Fetched>>();
  const readOne = async (role: ModelFileRole): Promise<Fetched> => {
    const source = model[role];
    const { file } = splitSource(source);
    if (!file) return { data: await ctx.readBytes(source, ctx.signal), stored: Promise.resolve() };
    if (file.entry === undefined) return fetchFile(model, file, role, ctx);
    const key = JSON.stringify([file.url, file.bytes, file.sha256]);
    let archive = archives.get(key);
    if (!archive) archives.set(key, (archive = fetchFile(model, file, 'archive', ctx)));
    const zip = await archive;
    throwIfAborted(ctx.signal);
    return { data: await extractZipEntry(zip.data, file.entry, file.url), stored: zip.stored };
  };
  const [encoder, decoder] = await Promise.all([readOne('encoder'), readOne('decoder')]);
  const stored = Promise.all([encoder.stored, decoder.stored]).then(() => undefined);
  stored.catch(() => undefined);
  return { encoder: encoder.data, decoder: decoder.data, stored };
}
