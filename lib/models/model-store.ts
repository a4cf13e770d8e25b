/**
 * Persistent model files, keyed by model id, version, file and SHA-256. Browsers use Cache Storage;
 * anything that implements {@link ModelStore} can stand in (Node and tests use {@link MemoryModelStore}).
 * A download that fails or is cancelled never reaches the store: entries are written whole, after
 * their checks pass.
 */
import type { ModelFile } from './model-spec.js';
import { downloadModelFile, type DownloadOptions, type DownloadProgress } from './download.js';

/** Which file of a model. */
export type ModelFileRole = 'encoder' | 'decoder';
/** What one download is: a file of the model, or the zip archive its files come from. */
export type ModelFileKind = ModelFileRole | 'archive';

/** One stored file and what it is. */
export interface StoredModelFile {
  readonly modelId: string;
  readonly version: string;
  readonly file: ModelFileKind;
  readonly sha256: string;
  readonly bytes: number;
}

export interface ModelStore {
  get(entry: StoredModelFile): Promise<Uint8Array | undefined>;
  put(entry: StoredModelFile, data: Uint8Array): Promise<void>;
  /** Every stored file. */
  list(): Promise<StoredModelFile[]>;
  /** Deletes the stored files of `modelId` (all versions); returns how many were deleted. */
  delete(modelId: string): Promise<number>;
}

function keyOf(e: StoredModelFile): string {
  return [e.modelId, e.version, e.file, e.sha256].map(encodeURIComponent).join('/');
}

/** An in-memory store, for Node and for tests. */
export class MemoryModelStore implements ModelStore {
  private readonly files = new Map<string, { entry: StoredModelFile; data: Uint8Array }>();

  async get(entry: StoredModelFile) {
    return this.files.get(keyOf(entry))?.data;
  }
  async put(entry: StoredModelFile, data: Uint8Array) {
    this.files.set(keyOf(entry), { entry, data });
  }
  async list() {
    return [...this.files.values()].map((f) => f.entry);
  }
  async delete(modelId: string) {
    let n = 0;
    for (const [k, f] of this.files) if (f.entry.modelId === modelId && this.files.delete(k)) n++;
    return n;
  }
}

/** The Cache Storage bucket models live in. */
export const MODEL_CACHE_NAME = 'sam2-web-models-v1';
/** Cache Storage keys must be URLs; this origin never resolves, it only names entries. */
const KEY_ORIGIN = 'https://models.sam2-web.invalid/';

/** Cache Storage, with each file's description in its response headers. */
export class CacheStorageModelStore implements ModelStore {
  constructor(private readonly cacheName = MODEL_CACHE_NAME) {}

  private open(): Promise<Cache> {
    return caches.open(this.cacheName);
  }

  async get(entry: StoredModelFile) {
    const hit = await (await this.open()).match(KEY_ORIGIN + keyOf(entry));
    if (!hit) return undefined;
    const data = new Uint8Array(await hit.arrayBuffer());
    // A short entry (quota trouble, a browser bug) is a miss, never a model.
    return data.length === entry.bytes ? data : undefined;
  }

  async put(entry: StoredModelFile, data: Uint8Array) {
    const headers = { 'Content-Type': 'application/octet-stream', 'X-Sam2web-Entry': JSON.stringify(entry) };
    await (await this.open()).put(KEY_ORIGIN + keyOf(entry), new Response(data as Uint8Array<ArrayBuffer>, { headers }));
  }

  async list() {
    const cache = await this.open();
    const out: StoredModelFile[] = [];
    for (const request of await cache.keys()) {
      const entry = (await cache.match(request))?.headers.get('X-Sam2web-Entry');
      if (entry) out.push(JSON.parse(entry) as StoredModelFile);
    }
    return out;
  }

  async delete(modelId: string) {
    const cache = await this.open();
    let n = 0;
    for (const e of await this.list()) if (e.modelId === modelId && (await cache.delete(KEY_ORIGIN + keyOf(e)))) n++;
    return n;
  }
}

/** A model file to fetch: where, and what it must be (unchecked where not given). */
export type ModelFileSpec = Pick<ModelFile, 'url' | 'bytes' | 'sha256'>;

/** Download progress, marked when the bytes came from the store instead. */
export interface StoredProgress extends DownloadProgress {
  readonly fromCache: boolean;
}

/**
 * The file's bytes from the store, or downloaded, checked and then stored. Only files with a
 * pinned size and SHA-256 use the store, since its key includes the digest.
 */
export async function loadModelFile(
  file: ModelFileSpec,
  entry: Omit<StoredModelFile, 'sha256' | 'bytes'>,
  options: { store?: ModelStore; onProgress?: (p: StoredProgress) => void } & Omit<DownloadOptions, 'bytes' | 'sha256' | 'onProgress'> = {},
): Promise<{ data: Uint8Array; fromCache: boolean; stored: Promise<void> }> {
  const { store: maybeStore, onProgress, ...download } = options;
  const pinned = file.sha256 !== undefined && file.bytes !== undefined;
  const store = pinned ? maybeStore : undefined;
  const stored: StoredModelFile = { ...entry, sha256: file.sha256 ?? '', bytes: file.bytes ?? 0 };
  const cached = await store?.get(stored);
  if (cached) {
    onProgress?.({ url: file.url, loaded: cached.length, total: cached.length, fromCache: true });
    return { data: cached, fromCache: true, stored: Promise.resolve() };
  }
  const data = await downloadModelFile(file.url, {
    ...download,
    bytes: file.bytes,
    sha256: file.sha256,
    onProgress: onProgress && ((p) => onProgress({ ...p, fromCache: false })),
  });
  // The write runs while the caller starts its sessions; a failure reaches whoever awaits `stored`.
  const written = store ? store.put(stored, data) : Promise.resolve();
  written.catch(() => undefined);
  return { data, fromCache: false, stored: written };
}
