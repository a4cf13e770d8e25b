/**
 * `sam2-web/service-worker`: answers `POST …/segment-anything-2` for configured origins from a page
 * that owns a segmenter, so code already written against the Livepeer gateway (the official SDK,
 * `fetch` + `FormData`) gets local answers, offline too. The service worker holds no model: it
 * hands each request to a controlled page that called `answerGatewayRequests(segmenter)` (the main
 * entry), and falls through to the network when no page answers.
 *
 * ```js
 * // sw.js (a module service worker)
 * import { installGatewayRoute } from 'sam2-web/service-worker';
 * installGatewayRoute({ origins: ['https://dream-gateway.livepeer.cloud'] });
 * ```
 */
import { GATEWAY_MESSAGE, type GatewayMessage, type GatewayReply } from './gateway/page-protocol.js';
import { SEGMENT_PATH } from './gateway/routes.js';

/** The parts of the service worker's global scope used here (the project compiles with DOM types). */
interface SwClient {
  readonly id: string;
  postMessage(message: unknown, transfer: Transferable[]): void;
}
export interface GatewayFetchEvent extends Event {
  readonly request: Request;
  readonly clientId: string;
  respondWith(response: Promise<Response>): void;
}
interface SwScope {
  readonly clients: { matchAll(options: { type: 'window' }): Promise<SwClient[]>; get(id: string): Promise<SwClient | undefined> };
  addEventListener(type: 'fetch', listener: (event: GatewayFetchEvent) => void): void;
}
const sw = globalThis as unknown as SwScope;

export interface GatewayRouteOptions {
  /**
   * URL prefixes whose `…/segment-anything-2` requests a page answers: a gateway's origin
   * (`https://dream-gateway.livepeer.cloud`), or a same-origin path (`https://app.example/api`).
   */
  origins: readonly string[];
  /**
   * `'page'` (default): a page answers, the network when none can. `'network'`: the network
   * answers, a page when the network fails (offline).
   */
  prefer?: 'page' | 'network';
  /** How long a page has to accept a request before the next one (or the network) is tried. @defaultValue 1000 ms */
  acceptTimeoutMs?: number;
}

/** The part of `url` after a matching prefix, when it is a gateway route. */
function routeOf(url: string, origins: readonly string[]): string | undefined {
  for (const o of origins) {
    const prefix = o.replace(/\/+$/, '');
    if (!url.startsWith(prefix)) continue;
    const rest = url.slice(prefix.length);
    const path = rest.split(/[?#]/)[0]!;
    if (path === SEGMENT_PATH || path === `${SEGMENT_PATH}/`) return rest;
  }
  return undefined;
}

/** Asks one page to answer; undefined when it does not accept in time or cannot serve. */
function askPage(client: SwClient, message: GatewayMessage, body: ArrayBuffer, acceptTimeoutMs: number): Promise<Response | undefined> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    const timer = setTimeout(() => {
      port1.close();
      resolve(undefined);
    }, acceptTimeoutMs);
    port1.onmessage = (e: MessageEvent<GatewayReply>) => {
      const reply = e.data;
      if (reply.kind === 'accepted') {
        clearTimeout(timer);
        return;
      }
      clearTimeout(timer);
      port1.close();
      if (reply.kind === 'unavailable') resolve(undefined);
      else resolve(new Response(reply.body, { status: reply.status, headers: reply.headers }));
    };
    // The body is copied per page asked (a transfer would leave nothing for the next one).
    client.postMessage({ ...message, body: body.slice(0) }, [port2]);
  });
}

/** A page's answer to `request`, trying the requesting page first, then the other windows. */
async function answerFromPage(request: Request, route: string, clientId: string, acceptTimeoutMs: number): Promise<Response | undefined> {
  const body = await request.arrayBuffer();
  const message: GatewayMessage = { type: GATEWAY_MESSAGE, route, method: request.method, headers: [...request.headers], body };
  const windows = await sw.clients.matchAll({ type: 'window' });
  const own = clientId ? await sw.clients.get(clientId) : undefined;
  const candidates = [...(own ? [own] : []), ...windows.filter((c) => c.id !== clientId)];
  for (const client of candidates) {
    const response = await askPage(client, message, body, acceptTimeoutMs);
    if (response) return response;
  }
  return undefined;
}

/** Handles `event` when it is a gateway request for one of `options.origins`; returns whether it did. */
export function handleGatewayFetch(event: GatewayFetchEvent, options: GatewayRouteOptions): boolean {
  const { request } = event;
  if (request.method !== 'POST') return false;
  const route = routeOf(request.url, options.origins);
  if (route === undefined) return false;
  const acceptTimeoutMs = options.acceptTimeoutMs ?? 1000;
  const network = request.clone();
  event.respondWith(
    (async () => {
      if (options.prefer === 'network') {
        try {
          return await fetch(network);
        } catch (e) {
          const local = await answerFromPage(request, route, event.clientId, acceptTimeoutMs);
          if (local) return local;
          throw e;
        }
      }
      return (await answerFromPage(request, route, event.clientId, acceptTimeoutMs)) ?? fetch(network);
    })(),
  );
  return true;
}

/** Installs a fetch listener that answers gateway requests for `options.origins` from a page. */
export function installGatewayRoute(options: GatewayRouteOptions): void {
  sw.addEventListener('fetch', (event) => void handleGatewayFetch(event, options));
}
