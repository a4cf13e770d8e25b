/**
 * A `worker_threads` Worker seen through the part of the Web Worker interface that comlink and
 * {@link WorkerSegmenter} use (`postMessage`, `addEventListener`, `terminate`), so that Node runs
 * the engine off the main thread exactly as browsers do.
 */
import { Worker as NodeWorker } from 'node:worker_threads';
import { hasNavigatorGpu } from './node-webgpu.js';

type Listener = (event: { data?: unknown; message?: string }) => void;

/** The built worker entry, also when this module runs from the TypeScript sources (tests). */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/worker/segmenter.node-worker.js', here)
    : new URL('../../worker/segmenter.node-worker.js', here);
}

export class NodeWorkerAdapter {
  private readonly worker: NodeWorker;
  private readonly wrapped = new Map<Listener, (value: unknown) => void>();
  private terminated = false;

  constructor(url: URL = workerUrl()) {
    // The worker makes its own navigator.gpu where this thread has one (./node-webgpu.ts).
    this.worker = new NodeWorker(url, { workerData: { navigatorGpu: hasNavigatorGpu() } });
    // A worker that exits on its own (a crash, out of memory) is reported as an error event.
    this.worker.on('exit', (code) => {
      if (!this.terminated) this.worker.emit('error', new Error(`the worker thread exited with code ${code}`));
    });
  }

  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer as never);
  }

  addEventListener(type: string, listener: Listener): void {
    const wrap =
      type === 'message'
        ? (data: unknown) => listener({ data })
        : type === 'error'
          ? (e: unknown) => listener({ message: e instanceof Error ? e.message : String(e) })
          : type === 'messageerror'
            ? () => listener({})
            : undefined;
    if (!wrap) return;
    this.wrapped.set(listener, wrap);
    this.worker.on(type, wrap);
  }

  removeEventListener(type: string, listener: Listener): void {
    const wrap = this.wrapped.get(listener);
    if (!wrap) return;
    this.worker.off(type, wrap);
    this.wrapped.delete(listener);
  }

  terminate(): void {
    this.terminated = true;
    void this.worker.terminate();
  }
}

/** A Node worker, typed as the Web Worker that {@link WorkerSegmenter} expects. */
export function nodeWorker(): Worker {
  return new NodeWorkerAdapter() as unknown as Worker;
}
