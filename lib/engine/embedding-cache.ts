/**
 * A least-recently-used cache of image embeddings with a byte budget.
 *
 * - Concurrent requests for the same missing key share one computation (one encoder run). A caller
 *   that aborts stops waiting at once; the computation itself is cancelled only when every caller
 *   waiting for it has aborted; a caller that comes after that starts a computation of its own.
 * - Entries in use are leased: an entry evicted while leased is disposed when its last lease ends,
 *   so a queued decode never finds its embedding freed under it.
 * - A failed computation leaves nothing behind.
 */

import { abortedError, throwIfAborted } from '../errors.js';

/** What the cache holds: something with a size that must be freed explicitly. */
export interface Disposable {
  readonly bytes: number;
  dispose(): void;
}

/** A value on loan from the cache; `release()` once done with it. Idempotent. */
export interface Lease<V> {
  readonly key: string;
  readonly value: V;
  /** Whether the value came from the cache rather than a new computation. */
  readonly hit: boolean;
  release(): void;
}

interface Pending<V> {
  readonly promise: Promise<Entry<V>>;
  readonly controller: AbortController;
  waiters: number;
}

interface Entry<V> {
  key: string;
  value: V;
  leases: number;
  evicted: boolean;
}

export class EmbeddingCache<V extends Disposable> {
  /** Insertion order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Pending<V>>();
  private used = 0;

  constructor(readonly budgetBytes: number) {}

  /** Bytes held by cached entries (not counting evicted ones still on loan). */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Whether `key` is cached or being computed. */
  known(key: string): boolean {
    return this.entries.has(key) || this.pending.has(key);
  }

  /** Leases the cached value for `key`, or undefined. */
  lease(key: string): Lease<V> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.touch(key, entry);
    return this.loan(entry, true);
  }

  /**
   * Leases the value for `key`, computing it once however many callers ask at the same time.
   * `create` gets a signal that aborts when all callers waiting for it have aborted.
   */
  async leaseOrCreate(key: string, create: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal): Promise<Lease<V>> {
    throwIfAborted(signal);
    const cached = this.lease(key);
    if (cached) return cached;
    let pending = this.pending.get(key);
    const shared = pending !== undefined;
    if (!pending) {
      const controller = new AbortController();
      const promise = create(controller.signal).then((value) => this.insert(key, value));
      const p: Pending<V> = { promise, controller, waiters: 0 };
      this.pending.set(key, p);
      const forget = () => this.forget(key, p);
      promise.then(forget, forget);
      pending = p;
    }
    // Every caller counts; one without a signal never leaves, so it keeps the computation alive.
    pending.waiters++;
    const entry = await this.wait(key, pending, signal);
    return this.loan(entry, shared);
  }

  /** Waits for a pending computation, or stops waiting when `signal` aborts. */
  private wait(key: string, p: Pending<V>, signal?: AbortSignal): Promise<Entry<V>> {
    if (!signal) return p.promise;
    return new Promise<Entry<V>>((resolve, reject) => {
      const onAbort = () => {
        if (--p.waiters === 0) {
          // Abandoned: a caller that comes later must not join a computation that is being cancelled.
          this.forget(key, p);
          p.controller.abort(signal.reason);
        }
        reject(abortedError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      p.promise.then(
        (entry) => {
          signal.removeEventListener('abort', onAbort);
          resolve(entry);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  /** Drops `key`; its value is disposed once no lease holds it. Returns whether it was cached. */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.evict(key, entry);
    return true;
  }

  /** Drops every entry. */
  clear(): void {
    for (const [key, entry] of [...this.entries]) this.evict(key, entry);
  }

  /** Stops offering `p` to new callers of `key` (a newer computation may already stand there). */
  private forget(key: string, p: Pending<V>): void {
    if (this.pending.get(key) === p) this.pending.delete(key);
  }

  private insert(key: string, value: V): Entry<V> {
    const existing = this.entries.get(key);
    if (existing) {
      // An abandoned computation finished after a newer one had cached the same key: keep one.
      value.dispose();
      this.touch(key, existing);
      return existing;
    }
    const entry: Entry<V> = { key, value, leases: 0, evicted: false };
    this.entries.set(key, entry);
    this.used += value.bytes;
    // Evict the least recently used entries until the budget holds, but never the new one.
    for (const [k, e] of this.entries) {
      if (this.used <= this.budgetBytes || k === key) break;
      this.evict(k, e);
    }
    return entry;
  }

  private touch(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private evict(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.used -= entry.value.bytes;
    entry.evicted = true;
    if (entry.leases === 0) entry.value.dispose();
  }

  private loan(entry: Entry<V>, hit: boolean): Lease<V> {
    entry.leases++;
    let released = false;
    return {
      key: entry.key,
      value: entry.value,
      hit,
      release: () => {
        if (released) return;
        released = true;
        entry.leases--;
        if (entry.evicted && entry.leases === 0) entry.value.dispose();
      },
    };
  }
}
