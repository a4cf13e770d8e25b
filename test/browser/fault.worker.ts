/** The segmentation worker plus fault hooks for tests: the library's own API, and a way to lose the GPU. */
import { expose } from 'comlink';
import { browserPlatform } from '../../lib/platform/browser.js';
import { installErrorTransfer } from '../../lib/transfer.js';
import { createWorkerApi } from '../../worker/api.js';

const api = {
  ...createWorkerApi(browserPlatform),
  /** Destroys onnxruntime-web's GPUDevice, as a driver reset would, and waits until it is lost. */
  async destroyDevice(): Promise<string> {
    const ort = await browserPlatform.loadOrt('webgpu');
    const device = await ort.env.webgpu.device;
    device.destroy();
    const info = await device.lost;
    // Let the engine's own `lost` handler run first.
    await new Promise((r) => setTimeout(r, 0));
    return info.reason;
  },
};
export type FaultWorkerApi = typeof api;

installErrorTransfer();
expose(api);
