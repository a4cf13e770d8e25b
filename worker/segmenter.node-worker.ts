/** The segmentation worker for Node (`worker_threads`): the same thin comlink host as in browsers. */
import { parentPort, workerData } from 'node:worker_threads';
import { expose, type Endpoint } from 'comlink';
import { nodePlatform } from '../lib/platform/node.js';
import { provideWorkerWebGpu } from '../lib/platform/node-webgpu.js';
import { installErrorTransfer } from '../lib/transfer.js';
import { createWorkerApi } from './api.js';

if (!parentPort) throw new Error('segmenter.node-worker must run in a worker thread');
installErrorTransfer();
provideWorkerWebGpu((workerData as { navigatorGpu?: boolean } | null)?.navigatorGpu === true);
// Node's MessagePort is an EventTarget whose message events carry `data`, as comlink expects.
expose(createWorkerApi(nodePlatform), parentPort as unknown as Endpoint);
