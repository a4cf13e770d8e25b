/**
 * The dev server's demo service worker (scope `/demo/`): only the gateway route. The built demo's
 * `/sw.js` also precaches the app (vite.config.ts) and imports the same route.
 */
import './gateway-route.js';

const scope = globalThis as unknown as { skipWaiting(): Promise<void>; clients: { claim(): Promise<void> }; addEventListener(t: string, l: (e: { waitUntil(p: Promise<unknown>): void }) => void): void };
scope.addEventListener('install', () => void scope.skipWaiting());
scope.addEventListener('activate', (e) => e.waitUntil(scope.clients.claim()));
