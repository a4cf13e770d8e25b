/**
 * The self-hosted runner (Node): `createGatewayHandler` on `node:http`, with a bounded queue,
 * request size limits, one log line per request and graceful shutdown. The engine runs in a worker
 * thread (the Node default), so `/health` answers while an image is being encoded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { errorOf } from '../errors.js';
import type { Segmenter } from '../options.js';
import { createGatewayHandler, errorResponse, type GatewayHandlerOptions } from './handler.js';

export interface GatewayServerOptions extends GatewayHandlerOptions {
  /** @defaultValue 8000, the runner's port */
  port?: number;
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /**
   * Segmentation requests admitted at once (running or waiting for the engine); more get a 503
   * with `Retry-After`. @defaultValue 64
   */
  maxQueue?: number;
  /** Where the per-request log lines go. @defaultValue `console.log` */
  log?: (line: string) => void;
  /** Close the segmenter when the server closes. @defaultValue true */
  closeSegmenter?: boolean;
}

export interface GatewayServer {
  readonly server: Server;
  /** The address it listens on, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** Segmentation requests admitted and not yet answered. */
  readonly pending: number;
  /**
   * Stops taking work: new requests get 503, requests in flight finish (their bodies are sent),
   * then the server and the segmenter close. Idempotent.
   */
  close(): Promise<void>;
}

function unavailable(msg: string): Response {
  return errorResponse(errorOf('UNAVAILABLE', msg), { 'retry-after': '1' });
}

/** A fetch `Request` reading `req`'s body as a stream; aborted when the client goes away. */
function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headersDistinct)) for (const v of value ?? []) headers.append(name, v);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
    signal,
    duplex: 'half',
  } as RequestInit);
}

/** Writes `response` to `res`, with backpressure; resolves when the body is sent or the client left. */
async function send(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) throw new Error('client closed');
      if (!res.write(value)) await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done).on('close', done);
      });
    }
    res.end();
  } catch {
    await reader.cancel().catch(() => undefined);
    res.destroy();
  }
}

/** Starts serving `segmenter` as the runner does; resolves once it listens. */
export async function startGatewayServer(segmenter: Segmenter, options: GatewayServerOptions = {}): Promise<GatewayServer> {
  const handle = createGatewayHandler(segmenter, options);
  const maxQueue = options.maxQueue ?? 64;
  const log = options.log ?? ((line: string) => console.log(line));
  let pending = 0;
  let closing: Promise<void> | undefined;
  let drained: () => void = () => undefined;

  async function serve(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort('The client closed the connection.');
    });
    const isWork = req.method === 'POST';
    let response: Response;
    let admitted = false;
    if (isWork && closing) response = unavailable('The server is shutting down.');
    else if (isWork && pending >= maxQueue) response = unavailable(`The server's queue is full (${maxQueue} requests).`);
    else {
      if (isWork) {
        admitted = true;
        pending++;
      }
      try {
        response = await handle(toRequest(req, origin, controller.signal));
      } catch {
        response = new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
      }
    }
    if (!admitted) req.resume(); // discard an unread body
    // A segmentation answer closes its connection: they are large and slow, so reuse gains nothing,
    // and a client reusing a socket that sat through a long encode can race the server's timers.
    if (closing || isWork) res.setHeader('connection', 'close');
    try {
      await send(response, res);
    } finally {
      if (admitted && --pending === 0) drained();
      log(`${req.method} ${path} ${response.status} ${(performance.now() - started).toFixed(1)}ms`);
    }
  }

  let url = '';
  const server = createServer((req, res) => void serve(req, res, url));
  server.requestTimeout = 0; // large uploads and long encodes; the queue bounds the work instead
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8000, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  return {
    server,
    url,
    get pending() {
      return pending;
    },
    close() {
      closing ??= (async () => {
        const idle = new Promise<void>((resolve) => {
          drained = resolve;
          if (pending === 0) resolve();
        });
        // Stop accepting connections; open keep-alive connections still get 503 until the end.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await idle;
        server.closeAllConnections();
        await closed;
        if (options.closeSegmenter !== false) await segmenter.close();
      })();
      return closing;
    },
  };
}
