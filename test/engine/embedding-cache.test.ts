import { describe, expect, it } from 'vitest';
import { EmbeddingCache } from '../../lib/engine/embedding-cache.js';

class Item {
  disposed = 0;
  constructor(readonly bytes: number) {}
  dispose(): void {
    this.disposed++;
  }
}

describe('EmbeddingCache', () => {
  it('evicts least recently used entries past the byte budget, and disposes them once', async () => {
    const cache = new EmbeddingCache<Item>(10);
    const a = new Item(4), b = new Item(4), c = new Item(4);
    (await cache.leaseOrCreate('a', async () => a)).release();
    (await cache.leaseOrCreate('b', async () => b)).release();
    cache.lease('a')!.release(); // a is now more recent than b
    (await cache.leaseOrCreate('c', async () => c)).release();
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect([a.disposed, b.disposed, c.disposed]).toEqual([0, 1, 0]);
    expect(cache.bytes).toBe(8);
  });

  it('keeps a new entry larger than the whole budget, alone', async () => {
    const cache = new EmbeddingCache<Item>(10);
    const small = new Item(3);
    (await cache.leaseOrCreate('s', async () => small)).release();
    (await cache.leaseOrCreate('big', async () => new Item(50))).release();
    expect([cache.has('s'), cache.has('big'), small.disposed]).toEqual([false, true, 1]);
  });

  it('computes a missing key once for concurrent callers', async () => {
    const cache = new EmbeddingCache<Item>(100);
    let runs = 0;
    const create = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 10));
      return new Item(1);
    };
    const leases = await Promise.all([1, 2, 3].map(() => cache.leaseOrCreate('k', create)));
    expect(runs).toBe(1);
    expect(leases.map((l) => l.hit)).toEqual([false, true, true]);
    expect(new Set(leases.map((l) => l.value)).size).toBe(1);
  });

  it('disposes an entry evicted while leased only when the lease ends', async () => {
    const cache = new EmbeddingCache<Item>(100);
    const item = new Item(1);
    const lease = await cache.leaseOrCreate('k', async () => item);
    expect(cache.delete('k')).toBe(true);
    expect(item.disposed).toBe(0);
    lease.release();
    lease.release(); // idempotent
    expect(item.disposed).toBe(1);
    expect(cache.lease('k')).toBeUndefined();
  });

  it('leaves nothing behind when the computation fails, and tries again next time', async () => {
    const cache = new EmbeddingCache<Item>(100);
    await expect(cache.leaseOrCreate('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(cache.size).toBe(0);
    const lease = await cache.leaseOrCreate('k', async () => new Item(2));
    expect(lease.hit).toBe(false);
    expect(cache.bytes).toBe(2);
  });

  it('clear() disposes every entry', async () => {
    const cache = new EmbeddingCache<Item>(100);
    const items = [new Item(1), new Item(2)];
    for (const [i, it_] of items.entries()) (await cache.leaseOrCreate(String(i), async () => it_)).release();
    cache.clear();
    expect(items.map((i) => i.disposed)).toEqual([1, 1]);
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
  });
});

describe('EmbeddingCache aborts', () => {
  const slow = (signal: AbortSignal, ms = 30) =>
    new Promise<Item>((resolve, reject) => {
      const t = setTimeout(() => resolve(new Item(1)), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new Error('cancelled'));
      });
    });

  it('a caller that aborts stops waiting, but the computation goes on for the others', async () => {
    const cache = new EmbeddingCache<Item>(100);
    let cancelled = false;
    const create = (s: AbortSignal) => {
      s.addEventListener('abort', () => (cancelled = true));
      return slow(s);
    };
    const a = new AbortController();
    const first = cache.leaseOrCreate('k', create, a.signal);
    const second = cache.leaseOrCreate('k', create);
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(second).resolves.toMatchObject({ hit: true });
    expect(cancelled).toBe(false);
  });

  it('the computation is cancelled when every waiting caller has aborted, and nothing is cached', async () => {
    const cache = new EmbeddingCache<Item>(100);
    const a = new AbortController();
    const b = new AbortController();
    let cancelled = false;
    const create = (s: AbortSignal) => {
      s.addEventListener('abort', () => (cancelled = true));
      return slow(s);
    };
    const p1 = cache.leaseOrCreate('k', create, a.signal);
    const p2 = cache.leaseOrCreate('k', create, b.signal);
    a.abort();
    expect(cancelled).toBe(false);
    b.abort();
    expect(cancelled).toBe(true);
    await expect(Promise.allSettled([p1, p2])).resolves.toMatchObject([{ status: 'rejected' }, { status: 'rejected' }]);
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.size).toBe(0);
  });
});
