/** Browser entry. In Node, the package's `node` export condition selects `./node.js` instead. */
import { browserPlatform } from './platform/browser.js';
import { segmenterFactory } from './segmenter.js';

export * from './api.js';
/** Loads a model and returns a {@link Segmenter}. */
export const createSegmenter = segmenterFactory(browserPlatform);
