/** `createSegmenter`: the public entry to segmentation, bound to a platform by the package entries. */
import { resolveWorker } from './engine/resolve-options.js';
import { generateMasks, segmentObjects } from './engine/automatic.js';
import { startEngine } from './engine/start.js';
import { errorOf } from './errors.js';
import { cannotRunLocally, withRemoteFallback } from './gateway/fallback.js';
import { createRemoteSegmenter } from './gateway/remote.js';
import type { Segmenter, SegmenterOptions } from './options.js';
import type { Platform } from './platform/platform.js';
import type { WorkerInit } from './protocol.js';

/** The `createSegmenter` of one platform. */
export function segmenterFactory(
  platform: Platform,
  startWorker?: (init: WorkerInit, factory?: () => Worker) => Promise<Segmenter>,
): (options?: SegmenterOptions) => Promise<Segmenter> {
  async function createLocal(options: SegmenterOptions): Promise<Segmenter> {
    const { worker, engine: init } = resolveWorker(options, startWorker !== undefined);
    if (worker !== false) {
      if (!startWorker) {
        throw errorOf('BACKEND_UNAVAILABLE', `There are no Web Workers in ${platform.name}; use worker: false.`);
      }
      return startWorker(init, typeof worker === 'function' ? worker : undefined);
    }
    const { engine, backend } = await startEngine(platform, init);
    return {
      modelId: engine.modelId,
      backend,
      segment: (request, segmentOptions) => engine.segment(request, segmentOptions),
      generateMasks: (image, maskOptions) => generateMasks(engine, image, maskOptions),
      segmentObjects: (image, prompts, objectOptions) => segmentObjects(engine, image, prompts, objectOptions),
      setImage: (image, setOptions) => engine.setImage(image, setOptions),
      releaseImage: async (id) => engine.releaseImage(id),
      stats: async () => engine.stats(),
      close: () => engine.close(),
    };
  }

  return async function createSegmenter(options: SegmenterOptions = {}): Promise<Segmenter> {
    const { remote: remoteOptions, fallback, ...local } = options;
    if (!remoteOptions) return createLocal(local);
    const remote = createRemoteSegmenter(remoteOptions);
    if (fallback !== 'remote') return remote;
    let segmenter: Segmenter;
    try {
      segmenter = await createLocal(local);
    } catch (e) {
      if (!cannotRunLocally(e)) throw e;
      return { ...remote, backend: { ...remote.backend, fallbackReason: `the local model could not load (${e.code}): ${e.message}` } };
    }
    return withRemoteFallback(segmenter, remote);
  };
}
