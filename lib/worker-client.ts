/**
 * The main-thread side of a worker segmenter: a comlink proxy with the Segmenter interface. Calls
 * reject at once if the worker dies, and the next call starts a new one. Results arrive as
 * transferred buffers, not copies.
 */
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { AutomaticMaskOptions, AutomaticOutputMode, MaskRecord, ObjectPrompt, SegmentationOf, SegmentObjectsOptions } from './automatic.js';
import { abortedError, closedError, errorOf, SegmentAnything2Error } from './errors.js';
import { splitSource, type ModelSource, type ModelSpec } from './models/model-spec.js';
import { clipNesting } from './pipeline/ndarray.js';
import { PROMPT_FIELDS } from './pipeline/request.js';
import type { WorkerApi, WorkerInit, WorkerReady } from './protocol.js';
import type { BackendInfo, EngineStats, Segmenter } from './options.js';
import { copyImageBuffers } from './image/snapshot.js';
import { installErrorTransfer } from './transfer.js';
import type { ImageHandle, ImageInput, PromptField, SegmentAnything2Request, SegmentAnything2Response, SegmentOptions } from './types.js';

/** Creates the worker; the default uses the bundled `worker/segmenter.worker` module. */
export type WorkerFactory = () => Worker;

const defaultWorker: WorkerFactory = () => new Worker(new URL('../worker/segmenter.worker.js', import.meta.url), { type: 'module' });

function workerDied(reason: string): SegmentAnything2Error {
  return errorOf('CLOSED', `The segmentation worker stopped: ${reason}`);
}

/** Model URLs made absolute against the page, since the worker resolves against its own URL. */
export function absoluteModel(model: string | ModelSpec | undefined): string | ModelSpec | undefined {
  // Node has no page URL: paths resolve against the working directory, the same in its worker threads.
  if (model === undefined || typeof model === 'string' || globalThis.location === undefined) return model;
  const href = (u: string | URL) => new URL(String(u), globalThis.location?.href).href;
  const abs = (s: ModelSource): ModelSource => {
    const { file } = splitSource(s);
    return file ? { ...file, url: href(file.url), ...(file.mirrors ? { mirrors: file.mirrors.map(href) } : {}) } : s;
  };
  return { ...model, encoder: abs(model.encoder), decoder: abs(model.decoder) };
}

/**
 * The image as it travels to the worker, taken in the caller's tick (an input is a snapshot: a
 * buffer reused as soon as the call returns is never read). Buffers are copied once and the copy is
 * transferred, not cloned again; images the structured clone cannot carry (DOM elements, canvases)
 * become ImageBitmaps, which `createImageBitmap` takes from the source at call time.
 */
function wireImage(image: ImageInput | ImageHandle): { image: Promise<ImageInput | ImageHandle>; transfer: Transferable[] } {
  const copied = copyImageBuffers(image);
  if (copied) return { image: Promise.resolve(copied.image), transfer: copied.buffers };
  const isElement = typeof HTMLElement !== 'undefined' && image instanceof HTMLElement;
  const isCanvas = typeof OffscreenCanvas !== 'undefined' && image instanceof OffscreenCanvas;
  return { image: isElement || isCanvas ? createImageBitmap(image as ImageBitmapSource) : Promise.resolve(image), transfer: [] };
}

class Connection {
  readonly api: Remote<WorkerApi>;
  readonly ready: Promise<WorkerReady>;
  /** Settles (rejected) when the worker dies. */
  readonly died: Promise<never>;
  private fail!: (e: SegmentAnything2Error) => void;
  /** Why the worker died, once it has. */
  private death?: SegmentAnything2Error;
  /** Rejecters of the calls in flight, fired if the worker dies. */
  private readonly inFlight = new Set<(e: SegmentAnything2Error) => void>();
  private killed = false;

  constructor(
    private readonly worker: Worker,
    init: WorkerInit,
  ) {
    this.died = new Promise<never>((_, reject) => {
      this.fail = (e) => {
        if (this.death) return;
        this.death = e;
        for (const rejectCall of this.inFlight) rejectCall(e);
        this.inFlight.clear();
        reject(e);
      };
    });
    this.died.catch(() => undefined);
    worker.addEventListener('error', (e) => this.fail(workerDied(e.message || 'uncaught error')));
    worker.addEventListener('messageerror', () => this.fail(workerDied('a message could not be deserialized')));
    this.api = wrap<WorkerApi>(worker);
    const { onProgress, ...rest } = init;
    this.ready = this.race(this.api.init(rest, onProgress && proxy(onProgress)));
  }

  /**
   * `p`, or the worker's death, whichever comes first. Not `Promise.race([p, died])`: every race
   * would leave a reaction on the long-lived `died` promise holding its result (each response's
   * buffers) for the worker's lifetime.
   */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.death) return Promise.reject(this.death);
    return new Promise<T>((resolve, reject) => {
      this.inFlight.add(reject);
      p.then(resolve, reject).finally(() => this.inFlight.delete(reject));
    });
  }

  /** Rejects pending calls and terminates the worker. Idempotent. */
  kill(reason: string): void {
    if (this.killed) return;
    this.killed = true;
    this.fail(workerDied(reason));
    this.api[releaseProxy]();
    this.worker.terminate();
  }
}

export class WorkerSegmenter implements Segmenter {
  private connection?: Connection;
  private nextCallId = 1;
  private closed = false;
  modelId = '';
  backend: BackendInfo = { device: 'wasm', threads: 1 };

  private constructor(
    private readonly init: WorkerInit,
    private readonly createWorker: WorkerFactory,
  ) {}

  static async start(init: WorkerInit, createWorker: WorkerFactory = defaultWorker): Promise<WorkerSegmenter> {
    installErrorTransfer();
    const s = new WorkerSegmenter({ ...init, model: absoluteModel(init.model) }, createWorker);
    await s.connect();
    return s;
  }

  /** The live connection, starting a new worker if the last one died. */
  private async connect(): Promise<Connection> {
    if (this.closed) throw closedError();
    if (!this.connection) {
      const c = new Connection(this.createWorker(), this.init);
      this.connection = c;
      c.died.catch(() => {
        if (this.connection === c) this.connection = undefined;
      });
      try {
        const { modelId, backend } = await c.ready;
        this.modelId = modelId;
        this.backend = backend;
      } catch (e) {
        this.drop(c, 'it failed to start');
        throw e;
      }
    }
    return this.connection;
  }

  /** Runs an RPC that rejects when the worker dies, and that `signal` can abort. */
  private async call<T>(run: (api: Remote<WorkerApi>, callId: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortedError(signal.reason);
    const c = await this.connect();
    const callId = this.nextCallId++;
    const onAbort = () => void c.api.abort(callId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await c.race(run(c.api, callId));
    } catch (e) {
      // A lost GPU device cannot come back in that worker: the next call starts a new one.
      if (SegmentAnything2Error.is(e) && e.code === 'DEVICE_LOST') this.drop(c, 'its GPU device was lost');
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async segment(request: SegmentAnything2Request, options: SegmentOptions = {}): Promise<SegmentAnything2Response> {
    const { signal, ...rest } = options;
    const image = wireImage(request.image);
    // numpy never looks past 32 levels, and a structured clone of a deeper nesting overflows the stack.
    const prompts: Partial<SegmentAnything2Request> = {};
    for (const field of PROMPT_FIELDS) if (Array.isArray(request[field])) prompts[field] = clipNesting(request[field]) as PromptField;
    const wire = transfer({ ...request, ...prompts, image: await image.image }, image.transfer);
    return this.call((api, callId) => api.segment(wire, { ...rest, callId }), signal);
  }

  async generateMasks<M extends AutomaticOutputMode = 'binary_mask'>(
    image: ImageInput | ImageHandle,
    options: AutomaticMaskOptions<M> = {},
  ): Promise<MaskRecord<SegmentationOf[M]>[]> {
    const { signal, onProgress, ...rest } = options;
    const snapshot = wireImage(image);
    const wire = transfer(await snapshot.image, snapshot.transfer);
    const records = await this.call((api, callId) => api.generateMasks(wire, { ...rest, callId }, onProgress && proxy(onProgress)), signal);
    return records as MaskRecord<SegmentationOf[M]>[];
  }

  async segmentObjects(image: ImageInput | ImageHandle, prompts: readonly ObjectPrompt[], options: SegmentObjectsOptions = {}): Promise<SegmentAnything2Response[]> {
    const { signal, ...rest } = options;
    const snapshot = wireImage(image);
    const wire = transfer(await snapshot.image, snapshot.transfer);
    return this.call((api, callId) => api.segmentObjects(wire, prompts, { ...rest, callId }), signal);
  }

  async setImage(image: ImageInput, options: { signal?: AbortSignal } = {}): Promise<ImageHandle> {
    const snapshot = wireImage(image);
    const wire = transfer(await snapshot.image, snapshot.transfer);
    return this.call((api, callId) => api.setImage(wire, { callId }), options.signal);
  }

  releaseImage(id: string): Promise<boolean> {
    return this.call((api) => api.releaseImage(id));
  }

  stats(): Promise<EngineStats> {
    return this.call((api) => api.stats());
  }

  /** Terminates the worker after releasing its sessions; pending calls reject with CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const c = this.connection;
    if (!c) return;
    await c.race(c.api.close()).catch(() => undefined);
    this.drop(c, 'the segmenter was closed');
  }

  /** Test and recovery hook: terminates the worker as a crash would; the next call starts a new one. */
  terminateWorker(): void {
    if (this.connection) this.drop(this.connection, 'it was terminated');
  }

  /** Ends connection `c` (its pending calls reject with CLOSED); the next call starts a new worker. */
  private drop(c: Connection, reason: string): void {
    if (this.connection === c) this.connection = undefined;
    c.kill(reason);
  }
}
