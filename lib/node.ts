/** Node entry: the same API as the browser entry, with files read from disk and images decoded by sharp. */
import { nodeWorker } from './platform/node-worker.js';
import { nodePlatform } from './platform/node.js';
import { segmenterFactory } from './segmenter.js';
import { videoTrackerFactory } from './video/tracker.js';
import { WorkerSegmenter } from './worker-client.js';

export * from './api.js';
/**
 * Loads a model and returns a {@link Segmenter}. The engine runs in a `worker_threads` worker
 * unless `worker: false`, so encodes never stop the event loop.
 */
export const createSegmenter = segmenterFactory(nodePlatform, (init, factory) => WorkerSegmenter.start(init, factory ?? nodeWorker));
/** Starts a video tracker on the calling thread (see the README's video section). */
export const createVideoTracker = videoTrackerFactory(nodePlatform);
