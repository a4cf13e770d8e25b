/**
 * Memory for the buffers a response hands over. They leave the thread (transferred to the caller),
 * so each response needs new memory, and new memory is not free: its pages are mapped on first
 * write, which cost 1.5–3 ms per MB on the 2-core VMs the benchmark runs on, and the gateway
 * default answers with 9.4 MB of float32 masks for a 1024×768 image (a quarter of a decoder run).
 *
 * {@link PrefaultedMemory} moves that cost off the request's path: a helper thread allocates the
 * next buffer and writes one byte per page while the model runs, then hands it over. A buffer is
 * handed out once and never taken back, so nothing a caller holds is ever overwritten.
 */
import type { PageFaulter } from '../platform/page-faulter.js';
import { yieldToEventLoop } from './queue.js';

export interface ResponseMemory {
  /** A new zeroed buffer of `byteLength` bytes, owned by the caller. */
  take(byteLength: number): ArrayBuffer;
  /** Lets a buffer on its way land before the next {@link take} (one event-loop turn, if any is on its way). */
  settle(): Promise<void>;
  readonly stats: { readonly prefaulted: number; readonly fresh: number };
  close(): void;
}

/** Plain allocation, where new memory is cheap (Node: freed blocks are reused) or no helper thread can run. */
export function plainMemory(): ResponseMemory {
  const stats = { prefaulted: 0, fresh: 0 };
  return {
    take(byteLength) {
      stats.fresh++;
      return new ArrayBuffer(byteLength);
    },
    settle: () => Promise.resolve(),
    stats,
    close: () => undefined,
  };
}

/**
 * Keeps one pre-faulted spare of the size last asked for. After each take of that size the helper
 * makes the next one, during the next request's model run. A request of another size allocates
 * plainly and asks for spares of its size from then on.
 */
export class PrefaultedMemory implements ResponseMemory {
  private spare?: ArrayBuffer;
  /** The size on its way from the helper. */
  private pending?: number;
  private closed = false;
  private broken = false;
  readonly stats = { prefaulted: 0, fresh: 0 };

  constructor(private readonly faulter: PageFaulter) {}

  take(byteLength: number): ArrayBuffer {
    let buffer: ArrayBuffer;
    if (this.spare && this.spare.byteLength === byteLength) {
      buffer = this.spare;
      this.stats.prefaulted++;
    } else {
      buffer = new ArrayBuffer(byteLength);
      this.stats.fresh++;
    }
    this.spare = undefined;
    this.refill(byteLength);
    return buffer;
  }

  settle(): Promise<void> {
    return this.pending === undefined ? Promise.resolve() : yieldToEventLoop();
  }

  private refill(byteLength: number): void {
    if (this.closed || this.broken || this.pending === byteLength) return;
    this.pending = byteLength;
    this.faulter.fault(byteLength).then(
      (buffer) => {
        if (this.pending !== byteLength) return;
        this.pending = undefined;
        if (!this.closed) this.spare = buffer;
      },
      () => {
        // The helper could not allocate or died: plain allocation from now on.
        this.pending = undefined;
        this.broken = true;
      },
    );
  }

  close(): void {
    this.closed = true;
    this.spare = undefined;
    this.pending = undefined;
    this.faulter.close();
  }
}
