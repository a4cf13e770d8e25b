/** The video tracking worker: a thin host that exposes a tracker core through comlink. */
import { expose } from 'comlink';
import { browserPlatform } from '../lib/platform/browser.js';
import { installErrorTransfer } from '../lib/transfer.js';
import { createVideoWorkerApi } from './video-api.js';

installErrorTransfer();
expose(createVideoWorkerApi(browserPlatform));
