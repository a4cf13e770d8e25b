/** The browser test page: the library and helpers, as `window.sam`, for page.evaluate. */
import { createSegmenter, deleteCachedModel, listCachedModels, toGatewayJSON } from '../../lib/index.js';
import { CacheStorageModelStore, loadModelFile } from '../../lib/models/model-store.js';
import { drawImage, iou, maskStats, texture } from '../helpers.js';

/** Long tasks seen on this page's main thread. */
const longTasks: Array<{ start: number; duration: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });

const api = { createSegmenter, listCachedModels, deleteCachedModel, toGatewayJSON, drawImage, iou, maskStats, texture, longTasks, CacheStorageModelStore, loadModelFile };
export type PageApi = typeof api;
declare global {
  interface Window {
    sam: PageApi;
  }
}
window.sam = api;
