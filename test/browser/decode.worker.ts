/** A worker that decodes image bytes with the browser platform, as the segmentation worker does. */
import { expose } from 'comlink';
import { decodeRgb } from './decode-rgb.js';

const api = { decode: decodeRgb };
export type DecodeWorkerApi = typeof api;
expose(api);
