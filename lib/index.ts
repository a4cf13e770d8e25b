/** Browser entry. In Node, the package's `node` export condition selects `./node.js` instead. */
import { browserPlatform } from './platform/browser.js';
import { segmenterFactory } from './segmenter.js';
import { WorkerSegmenter } from './worker-client.js';
import { videoTrackerFactory } from './video/tracker.js';
import { startVideoWorker } from './video/worker-client.js';

export * from './api.js';
export { listCachedModels, deleteCachedModel } from './models/cached-models.js';
/** Loads a model, in a Web Worker unless `worker: false`, and returns a {@link Segmenter}. */
export const createSegmenter = segmenterFactory(browserPlatform, (init, factory) => WorkerSegmenter.start(init, factory));
/** Starts a video tracker, in a Web Worker unless `worker: false` (see the README's video section). */
export const createVideoTracker = videoTrackerFactory(browserPlatform, startVideoWorker);
