/** Test service worker: the library's gateway route for the public Livepeer gateway's origin. */
import { installGatewayRoute } from '../../lib/service-worker.js';

const scope = globalThis as unknown as { skipWaiting(): Promise<void>; clients: { claim(): Promise<void> }; addEventListener(t: string, l: (e: { waitUntil(p: Promise<unknown>): void }) => void): void };
installGatewayRoute({ origins: ['https://dream-gateway.livepeer.cloud'] });
scope.addEventListener('install', () => void scope.skipWaiting());
scope.addEventListener('activate', (e) => e.waitUntil(scope.clients.claim()));
