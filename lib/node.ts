/** Node entry: the same API as the browser entry, with files read from disk and images decoded by sharp. */
import { nodePlatform } from './platform/node.js';
import { segmenterFactory } from './segmenter.js';
import { videoTrackerFactory } from './video/tracker.js';

export * from './api.js';
/** Loads a model and returns a {@link Segmenter}. */
export const createSegmenter = segmenterFactory(nodePlatform);
/** Starts a video tracker on the calling thread (see the README's video section). */
export const createVideoTracker = videoTrackerFactory(nodePlatform);
