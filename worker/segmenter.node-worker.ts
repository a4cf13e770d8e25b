/** The segmentation worker for Node (`worker_threads`): the same thin comlink host as in browsers. */
import { parentPort } from 'node:worker_threads';
import { expose, type Endpoint } from 'comlink';
import { nodePlatform } from '../lib/platform/node.js';
import { installErrorTransfer } from '../lib/transfer.js';
import { createWorkerApi } from './api.js';

if (!parentPort) throw new Error('segmenter.node-worker must run in a worker thread');
installErrorTransfer();
// Node's MessagePort is an EventTarget whose message events carry `data`, as comlink expects.
expose(createWorkerApi(nodePlatform), parentPort as unknown as Endpoint);
