/**
 * `fallback: 'remote'`: a local segmenter that hands requests to the remote engine once the local
 * model cannot load or run.
 */
import { SegmentAnything2Error, type SegmentAnything2ErrorCode } from '../errors.js';
import type { BackendInfo, Segmenter } from '../options.js';
import type { RemoteSegmenter } from './remote.js';

/** Local failures that mean "this device cannot run the model", as opposed to a bad request. */
const CANNOT_RUN = new Set<SegmentAnything2ErrorCode>(['MODEL_LOAD', 'BACKEND_UNAVAILABLE', 'OUT_OF_MEMORY', 'INFERENCE', 'DEVICE_LOST']);

export function cannotRunLocally(e: unknown): e is SegmentAnything2Error {
  return SegmentAnything2Error.is(e) && CANNOT_RUN.has(e.code);
}

/**
 * `local`, handing requests to `remote` from the first time the local model cannot run (out of
 * memory, an inference failure, a lost device); `backend` then says so.
 */
export function withRemoteFallback(local: Segmenter, remote: RemoteSegmenter): Segmenter {
  let current: Segmenter = local;
  let backend: BackendInfo = local.backend;
  const switchToRemote = (e: SegmentAnything2Error) => {
    current = remote;
    backend = { ...remote.backend, fallbackReason: `the local model could not run (${e.code}): ${e.message}` };
    void local.close().catch(() => undefined);
  };
  /** Runs on the local segmenter until it cannot run, then (and from then on) on the remote one. */
  const attempt = async <T>(run: (s: Segmenter) => Promise<T>): Promise<T> => {
    if (current === local) {
      try {
        return await run(local);
      } catch (e) {
        if (!cannotRunLocally(e)) throw e;
        switchToRemote(e);
      }
    }
    return run(remote);
  };
  return {
    get modelId() {
      return current.modelId || local.modelId;
    },
    get backend() {
      return backend;
    },
    segment: (request, options) => attempt((s) => s.segment(request, options)),
    generateMasks: (image, options) => attempt((s) => s.generateMasks(image, options)),
    segmentObjects: (image, prompts, options) => attempt((s) => s.segmentObjects(image, prompts, options)),
    async setImage(image, options) {
      if (current === local) {
        try {
          const handle = await local.setImage(image, options);
          remote.remember(handle.id, image);
          return handle;
        } catch (e) {
          if (!cannotRunLocally(e)) throw e;
          switchToRemote(e);
        }
      }
      return remote.setImage(image);
    },
    releaseImage: (id) => Promise.all([current === local ? local.releaseImage(id) : false, remote.releaseImage(id)]).then(([a, b]) => a || b),
    stats: () => current.stats(),
    close: () => Promise.all([local.close(), remote.close()]).then(() => undefined),
  };
}
