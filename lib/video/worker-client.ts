/**
 * The main-thread side of a worker video tracker: a comlink link to `worker/video.worker`. Calls
 * reject with CLOSED at once if the worker dies (its tracking state is gone with it).
 */
import { proxy, releaseProxy, transfer, wrap } from 'comlink';
import { abortedError, errorOf, type SegmentAnything2Error } from '../errors.js';
import { installErrorTransfer } from '../transfer.js';
import { absoluteModel } from '../worker-client.js';
import type { ImageInput } from '../types.js';
import type { VideoWorkerApi } from './protocol.js';
import type { VideoInit } from './start.js';
import type { ModelSource } from '../models/model-spec.js';
import { isVideoModelSpec, type VideoModelSpec } from './video-models.js';
import type { CoreLink, StartedLink } from './tracker.js';

const defaultWorker = () => new Worker(new URL('../../worker/video.worker.js', import.meta.url), { type: 'module' });

function workerDied(reason: string): SegmentAnything2Error {
  return errorOf('CLOSED', `The video worker stopped: ${reason}`);
}

/** Model URLs made absolute against the page (the worker resolves against its own URL). */
function absoluteVideoModel(model: VideoInit['model']): VideoInit['model'] {
  if (!isVideoModelSpec(model)) return absoluteModel(model);
  const href = (s: ModelSource): ModelSource => (typeof s === 'string' || s instanceof URL ? new URL(String(s), globalThis.location?.href).href : s);
  const graphs = Object.fromEntries(Object.entries(model.graphs).map(([g, s]) => [g, href(s)])) as VideoModelSpec['graphs'];
  const c = model.constants;
  return { ...model, graphs, constants: typeof c === 'string' || c instanceof URL ? href(c) : c };
}

/** ImageBitmaps made for the worker are transferred, not copied. */
function wire(frame: ImageInput): ImageInput {
  return typeof ImageBitmap !== 'undefined' && frame instanceof ImageBitmap ? transfer(frame, [frame]) : frame;
}

export async function startVideoWorker(init: VideoInit, createWorker: () => Worker = defaultWorker): Promise<StartedLink> {
  installErrorTransfer();
  const worker = createWorker();
  const api = wrap<VideoWorkerApi>(worker);
  const inFlight = new Set<(e: SegmentAnything2Error) => void>();
  let death: SegmentAnything2Error | undefined;
  let nextCallId = 1;
  const die = (e: SegmentAnything2Error) => {
    if (death) return;
    death = e;
    for (const reject of inFlight) reject(e);
    inFlight.clear();
    api[releaseProxy]();
    worker.terminate();
  };
  worker.addEventListener('error', (e) => die(workerDied(e.message || 'uncaught error')));
  worker.addEventListener('messageerror', () => die(workerDied('a message could not be deserialized')));
  /** `p`, or the worker's death, whichever comes first. */
  const race = <T>(p: Promise<T>): Promise<T> => {
    if (death) return Promise.reject(death);
    return new Promise<T>((resolve, reject) => {
      inFlight.add(reject);
      p.then(resolve, reject).finally(() => inFlight.delete(reject));
    });
  };
  const call = async <T>(run: (callId: number) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    if (signal?.aborted) throw abortedError(signal.reason);
    const callId = nextCallId++;
    const onAbort = () => void api.abort(callId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await race(run(callId));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
  const { onProgress, ...rest } = init;
  let ready;
  try {
    ready = await race(api.init({ ...rest, model: absoluteVideoModel(rest.model) }, onProgress && proxy(onProgress)));
  } catch (e) {
    die(workerDied('it failed to start'));
    throw e;
  }
  const link: CoreLink = {
    addPrompt: (prompt, signal) => call((id) => api.addPrompt({ ...prompt, frame: wire(prompt.frame) }, id), signal),
    trackFrame: (frameIndex, frame, reverse, signal) => call((id) => api.trackFrame(frameIndex, wire(frame), reverse, id), signal),
    beginPropagation: (startFrame, reverse, totalFrames) => call(() => api.beginPropagation(startFrame, reverse, totalFrames)),
    removeObject: (objectId) => call(() => api.removeObject(objectId)),
    reset: () => call(() => api.reset()),
    close: async () => {
      if (death) return;
      await race(api.close()).catch(() => undefined);
      die(workerDied('the tracker was closed'));
    },
  };
  return { link, ...ready, remote: true };
}
