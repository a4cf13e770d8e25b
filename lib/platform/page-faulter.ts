/**
 * A helper thread that hands over new memory whose pages it has already written (so the kernel has
 * mapped them), for engine/response-memory.ts. Browsers only: a worker started from a blob: URL.
 */

/** The helper thread: returns a new buffer whose pages it has written (and so mapped). */
export interface PageFaulter {
  fault(byteLength: number): Promise<ArrayBuffer>;
  close(): void;
}

/** The helper's whole program: allocate, write one byte per 4 KiB page, transfer back. */
export const PAGE_FAULTER_SOURCE = `onmessage = (e) => {
  const { id, byteLength } = e.data;
  let buffer;
  try {
    buffer = new ArrayBuffer(byteLength);
    const bytes = new Uint8Array(buffer);
    for (let i = 0; i < byteLength; i += 4096) bytes[i] = 0;
  } catch (error) {
    postMessage({ id, error: String(error) });
    return;
  }
  postMessage({ id, buffer }, [buffer]);
};`;

/** Minimal structural type of a Worker, so this module stays platform-neutral. */
interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error', listener: (event: { data?: unknown }) => void): void;
}

interface Reply {
  readonly id: number;
  readonly buffer?: ArrayBuffer;
  readonly error?: string;
}

/** A {@link PageFaulter} on a worker running {@link PAGE_FAULTER_SOURCE}. */
export function workerFaulter(worker: WorkerLike): PageFaulter {
  let next = 0;
  const waiting = new Map<number, { resolve: (b: ArrayBuffer) => void; reject: (e: Error) => void }>();
  const failAll = (why: string) => {
    for (const w of waiting.values()) w.reject(new Error(why));
    waiting.clear();
  };
  worker.addEventListener('message', (event) => {
    const data = event.data as Reply;
    const w = waiting.get(data.id);
    waiting.delete(data.id);
    if (data.buffer) w?.resolve(data.buffer);
    else w?.reject(new Error(data.error ?? 'no buffer'));
  });
  worker.addEventListener('error', () => failAll('the page-faulting worker failed'));
  return {
    fault(byteLength) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, byteLength });
      });
    },
    close() {
      failAll('closed');
      worker.terminate();
    },
  };
}

/** A page faulter in a new worker, or undefined where workers cannot start (a service worker, a CSP without blob: workers). */
export function startPageFaulter(): PageFaulter | undefined {
  if (typeof Worker === 'undefined') return undefined;
  const url = URL.createObjectURL(new Blob([PAGE_FAULTER_SOURCE], { type: 'text/javascript' }));
  try {
    return workerFaulter(new Worker(url, { name: 'sam2-web page faulter' }));
  } catch {
    return undefined;
  } finally {
    URL.revokeObjectURL(url);
  }
}
