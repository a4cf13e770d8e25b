/**
 * The page side of `sam2-web/service-worker`: answers the gateway requests the service worker
 * routes to this page, with this page's segmenter, through {@link createGatewayHandler}.
 */
import type { Segmenter } from '../options.js';
import { createGatewayHandler, type GatewayHandlerOptions } from './handler.js';
import { GATEWAY_MESSAGE, type GatewayMessage, type GatewayReply } from './page-protocol.js';
import { SERVED_BY_HEADER } from './routes.js';

/**
 * Answers the service worker's gateway requests with `segmenter` until the returned function is
 * called. The 200 body streams to the service worker where streams can be transferred. Every
 * answer carries `x-sam2-web-served-by: page`.
 */
export function answerGatewayRequests(segmenter: Pick<Segmenter, 'segment'>, options: GatewayHandlerOptions = {}): () => void {
  const container = navigator.serviceWorker;
  const handle = createGatewayHandler(segmenter, options);
  const onMessage = (event: MessageEvent) => {
    const message = event.data as Partial<GatewayMessage> | null;
    const port = event.ports[0];
    if (!message || message.type !== GATEWAY_MESSAGE || !port) return;
    const reply = (r: GatewayReply, transfer: Transferable[] = []) => port.postMessage(r, transfer);
    reply({ kind: 'accepted' });
    void (async () => {
      try {
        const request = new Request(new URL(message.route!, location.origin), { method: message.method, headers: message.headers, body: message.body });
        const response = await handle(request);
        const headers: [string, string][] = [...response.headers, [SERVED_BY_HEADER, 'page']];
        const body = response.body;
        if (body) {
          try {
            reply({ kind: 'response', status: response.status, headers, body }, [body as unknown as Transferable]);
            return;
          } catch {
            // Streams are not transferable here: send the bytes.
          }
        }
        reply({ kind: 'response', status: response.status, headers, body: await response.arrayBuffer() });
      } catch {
        reply({ kind: 'unavailable' });
      } finally {
        setTimeout(() => port.close(), 0);
      }
    })();
  };
  container.addEventListener('message', onMessage);
  container.startMessages();
  return () => container.removeEventListener('message', onMessage);
}
