/**
 * The demo's "Gateway client" panel: the official Livepeer SDK (`@livepeer/ai`), with `serverURL`
 * set to the Livepeer gateway, sends the current image (as PNG) and prompts. The demo's service
 * worker routes that request to this page, which answers with its own segmenter
 * (`answerGatewayRequests`): the request never leaves the device, and it works offline. The panel
 * shows who answered (the `x-sam2-web-served-by` header), the round trip and the scores, and main
 * draws the mask. The SDK is imported when the panel is first opened.
 */
import { answerGatewayRequests, type Segmenter, type SegmentAnything2Response } from '../lib/index.js';
import { errorText } from '../lib/errors.js';
import { readMasksResponse } from '../lib/gateway/masks-reader.js';
import { SERVED_BY_HEADER } from '../lib/gateway/routes.js';
import { GATEWAY_URL } from './gateway-url.js';

/** The prompt fields of a gateway request. */
export interface PromptFields {
  point_coords?: number[][];
  point_labels?: number[];
  box?: number[];
}

export interface GatewayPanelHost {
  readonly segmenter: Segmenter;
  readonly imageCanvas: HTMLCanvasElement;
  /** The current prompts; undefined when there are none. */
  prompt(): PromptFields | undefined;
  /** Shows `response` as the current mask and candidates. */
  show(response: SegmentAnything2Response): void;
}

type Sdk = InstanceType<typeof import('@livepeer/ai').Livepeer>;

/** Resolves once a service worker with the gateway route controls this page. */
async function controlled(): Promise<void> {
  const container = navigator.serviceWorker;
  if (!container) throw new Error('this browser has no service workers (a private window, or not https)');
  // The built demo registers /sw.js (with the route) on load; the dev server has its own route-only worker.
  if (!import.meta.env.PROD) await container.register('/demo/gateway-sw.ts', { type: 'module', scope: '/demo/' });
  await container.ready;
  if (!container.controller) await new Promise((r) => container.addEventListener('controllerchange', r, { once: true }));
}

/** The SDK's error as text: the runner's detail (HTTPError, ValidationError), a status, or the message. */
function sdkErrorText(e: unknown): string {
  const err = e as { name?: string; statusCode?: number; detail?: unknown };
  if (err.detail !== undefined) return `${err.name ?? 'Error'} ${JSON.stringify(err.detail)}`;
  if (err.statusCode !== undefined) return `HTTP ${err.statusCode}: ${errorText(e)}`;
  return errorText(e);
}

export function installGatewayPanel(host: GatewayPanelHost, panel: HTMLDetailsElement): void {
  const send = panel.querySelector<HTMLButtonElement>('#gateway-send')!;
  const result = panel.querySelector<HTMLDivElement>('#gateway-result')!;
  const say = (text: string) => (result.textContent = text);
  let sdk: Promise<Sdk> | undefined;

  const connect = () =>
    (sdk ??= (async () => {
      const [{ Livepeer }] = await Promise.all([import('@livepeer/ai'), controlled()]);
      answerGatewayRequests(host.segmenter);
      return new Livepeer({ serverURL: GATEWAY_URL });
    })());

  panel.addEventListener('toggle', () => {
    if (!panel.open || sdk) return;
    say('Starting the SDK and the service worker route…');
    connect().then(
      () => {
        send.disabled = false;
        say(`Ready: requests to ${GATEWAY_URL} are answered by this page.`);
      },
      (e) => {
        sdk = undefined;
        say(`The gateway route could not start: ${errorText(e)}`);
      },
    );
  });

  send.addEventListener('click', async () => {
    const prompt = host.prompt();
    if (!prompt) return void say('Click the image (or drag a box) first: the SDK sends those prompts.');
    const canvas = host.imageCanvas;
    const png = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
    if (!png) return void say('The image could not be encoded as PNG.');
    delete result.dataset.servedBy;
    say('Sending…');
    try {
      const client = await connect();
      const started = performance.now();
      const answer = await client.generate.segmentAnything2({
        image: { fileName: 'image.png', content: png },
        modelId: host.segmenter.modelId,
        ...(prompt.point_coords ? { pointCoords: JSON.stringify(prompt.point_coords), pointLabels: JSON.stringify(prompt.point_labels) } : {}),
        ...(prompt.box ? { box: JSON.stringify(prompt.box) } : {}),
      });
      const ms = Math.round(performance.now() - started);
      const body = answer.masksResponse!;
      const servedBy = answer.rawResponse.headers.get(SERVED_BY_HEADER) ?? 'the network';
      Object.assign(result.dataset, { servedBy, scores: body.scores, ms: String(ms) });
      host.show(await readMasksResponse(new Response(JSON.stringify(body)).body!, 'bits'));
      say(`HTTP ${answer.statusCode} from ${servedBy === 'page' ? 'this page' : servedBy} (${SERVED_BY_HEADER}: ${servedBy}) · round trip ${ms} ms · scores ${body.scores}`);
    } catch (e) {
      say(`The SDK call failed: ${sdkErrorText(e)}`);
    }
  });
}
