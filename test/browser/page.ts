/** The browser test page: the library and helpers, as `window.sam`, for page.evaluate. */
import { createSegmenter, createVideoTracker, deleteCachedModel, listCachedModels, toCocoRle, toGatewayJSON } from '../../lib/index.js';
import { diskFrame, inside, maskIou } from '../video/clip.js';
import { CacheStorageModelStore, loadModelFile } from '../../lib/models/model-store.js';
import { wrap, type Remote } from 'comlink';
import { drawImage, iou, maskStats, texture } from '../helpers.js';
import type { FaultWorkerApi } from './fault.worker.js';
import type { DecodeWorkerApi } from './decode.worker.js';
import { decodeRgb } from './decode-rgb.js';
import * as shapes from '../shapes-scene.js';
import { browserPlatform } from '../../lib/platform/browser.js';
import { startTrackerCore } from '../../lib/video/start.js';

/** Long tasks seen on this page's main thread. */
const longTasks: Array<{ start: number; duration: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });

/** Workers made by `faultWorker`, newest last, each reachable for fault hooks. */
const faultWorkers: Array<Remote<FaultWorkerApi>> = [];
/** A `worker` factory for createSegmenter: the library's worker plus test hooks (fault.worker.ts). */
function faultWorker(): Worker {
  const w = new Worker(new URL('./fault.worker.ts', import.meta.url), { type: 'module' });
  faultWorkers.push(wrap<FaultWorkerApi>(w));
  return w;
}

/** Decodes image bytes on this thread (as worker: false does) or in a worker (as the default does), as RGB. */
let decodeWorker: Remote<DecodeWorkerApi> | undefined;
async function decodeImage(bytes: number[], where: 'page' | 'worker') {
  if (where === 'worker') {
    decodeWorker ??= wrap<DecodeWorkerApi>(new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module' }));
    return decodeWorker.decode(new Uint8Array(bytes));
  }
  return decodeRgb(new Uint8Array(bytes));
}

const api = { decodeImage, createVideoTracker, startTrackerCore, browserPlatform, diskFrame, inside, maskIou, faultWorker, faultWorkers, createSegmenter, listCachedModels, deleteCachedModel, toGatewayJSON, toCocoRle, shapes, drawImage, iou, maskStats, texture, longTasks, CacheStorageModelStore, loadModelFile };
export type PageApi = typeof api;
declare global {
  interface Window {
    sam: PageApi;
  }
}
window.sam = api;
