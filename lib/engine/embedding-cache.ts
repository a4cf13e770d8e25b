/**
 * A least-recently-used cache of image embeddings with a byte budget.
 *
 * - Concurrent requests for the same missing key share one computation (one encoder run).
 * - Entries in use are leased: an entry evicted while leased is disposed when its last lease ends,
 *   so a queued decode never finds its embedding freed under it.
 * - A failed computation leaves nothing behind.
 */

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

interface Entry<V> {
  key: string;
  value: V;
  leases: number;
  evicted: boolean;
}

export class EmbeddingCache<V extends Disposable> {
  /** Insertion order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Promise<Entry<V>>>();
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

  /** Leases the cached value for `key`, or undefined. */
  lease(key: string): Lease<V> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.touch(key, entry);
    return this.loan(entry, true);
  }

  /** Leases the value for `key`, computing it once however many callers ask at the same time. */
  async leaseOrCreate(key: string, create: () => Promise<V>): Promise<Lease<V>> {
    const cached = this.lease(key);
    if (cached) return cached;
    let pending = this.pending.get(key);
    const shared = pending !== undefined;
    if (!pending) {
      pending = create().then((value) => this.insert(key, value));
      this.pending.set(key, pending);
      const forget = () => this.pending.delete(key);
      pending.then(forget, forget);
    }
    const entry = await pending;
    return this.loan(entry, shared);
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

  private insert(key: string, value: V): Entry<V> {
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
