/** Node entry: the same API as the browser entry, with files read from disk and images decoded by sharp. */
import { nodePlatform } from './platform/node.js';
import { segmenterFactory } from './segmenter.js';

export * from './api.js';
/** Loads a model and returns a {@link Segmenter}. */
export const createSegmenter = segmenterFactory(nodePlatform);
