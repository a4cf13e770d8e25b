/** The segmentation worker: a thin host that exposes the engine through comlink. */
import { expose } from 'comlink';
import { browserPlatform } from '../lib/platform/browser.js';
import { installErrorTransfer } from '../lib/transfer.js';
import { createWorkerApi } from './api.js';

installErrorTransfer();
expose(createWorkerApi(browserPlatform));
