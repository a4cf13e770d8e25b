/**
 * The demo service worker's gateway route: `POST https://dream-gateway.livepeer.cloud/segment-anything-2`
 * is answered by the page that opened the "Gateway client" panel. Imported by the built demo's
 * `/sw.js` (vite.config.ts) and by demo/gateway-sw.ts on the dev server.
 */
import { installGatewayRoute } from '../lib/service-worker.js';
import { GATEWAY_URL } from './gateway-url.js';

installGatewayRoute({ origins: [GATEWAY_URL] });
