/** The tests' local HTTP server: 127.0.0.1 on a free port, with a hit count per path. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Requests seen per path (URL path and query); tests may delete entries to count afresh. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

/** Starts a server; `handle` gets each request with its path's hit count so far, this one included. */
export async function startTestServer(handle: (req: IncomingMessage, res: ServerResponse, hit: number) => void): Promise<TestServer> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    handle(req, res, n);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Sends `body` in chunks of `chunkBytes` with `delayMs` between them. With `stopAt` below the
 * body's length, the connection is dropped after that many bytes.
 */
export function streamBody(res: ServerResponse, body: Uint8Array, options: { chunkBytes?: number; delayMs?: number; stopAt?: number } = {}): void {
  const { chunkBytes = 16384, delayMs = 2, stopAt = body.length } = options;
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i >= stopAt) {
      if (stopAt < body.length) res.destroy();
      else res.end();
      return;
    }
    const end = Math.min(i + chunkBytes, stopAt);
    res.write(body.subarray(i, end));
    i = end;
    setTimeout(next, delayMs);
  };
  next();
}
