/** The Livepeer gateway the demo's "Gateway client" panel calls (and its service worker routes to the page). */
export const GATEWAY_URL = 'https://dream-gateway.livepeer.cloud';
