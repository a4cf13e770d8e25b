/** A page that answers gateway requests (routed by gateway-sw.ts) with its own segmenter, and the official SDK. */
import { Livepeer } from '@livepeer/ai';
import { answerGatewayRequests, createSegmenter, toGatewayJSON, type Segmenter } from '../../lib/index.js';
import { drawImage, texture } from '../helpers.js';

async function pngOf(width: number, height: number): Promise<Uint8Array> {
  const raw = drawImage(width, height, texture);
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(raw.data), width, height), 0, 0);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}

let segmenter: Segmenter;
const api = {
  /** Registers the service worker, loads the fixture model and starts answering. */
  async start(model: { id: string; encoder: string; decoder: string }) {
    await navigator.serviceWorker.register('/test/browser/gateway-sw.ts', { type: 'module', scope: '/test/browser/' });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    }
    segmenter = await createSegmenter({ model, device: 'wasm' });
    answerGatewayRequests(segmenter);
    return segmenter.backend.device;
  },
  /** The SDK's answer with serverURL set to the public gateway, and the library's own body. */
  async viaSdk(fields: { pointCoords?: string; pointLabels?: string }) {
    const png = await pngOf(64, 48);
    const sdk = new Livepeer({ serverURL: 'https://dream-gateway.livepeer.cloud', httpBearer: 'unused' });
    try {
      const result = await sdk.generate.segmentAnything2({ image: { fileName: 'p.png', content: png }, modelId: 'fixture/sam2', ...fields });
      const direct = await segmenter.segment({ image: png, point_coords: fields.pointCoords, point_labels: fields.pointLabels });
      return { sdk: JSON.stringify(result.masksResponse), library: toGatewayJSON(direct) };
    } catch (e) {
      // By name, not instanceof: Vite may pre-bundle the SDK's error classes twice (once per entry it
      // discovers), and then the thrown HTTPError is not the one a deep import would name.
      const err = e as { name?: string; detail?: unknown };
      return { error: err.name === 'HTTPError' && err.detail !== undefined ? { kind: 'HTTPError', detail: err.detail } : { kind: String(err.name), message: String(e) } };
    }
  },
};
declare global {
  interface Window {
    gateway: typeof api;
  }
}
window.gateway = api;
