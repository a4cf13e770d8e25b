/**
 * A request that never aborted must not inherit another caller's abort (issue 12, item 3): when the
 * only waiter of a shared encode aborts while the encode is still queued, a request for the same
 * image that comes afterwards starts an encode of its own.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddingCache } from '../../lib/engine/embedding-cache.js';
import type { SegmentEngine } from '../../lib/engine/engine.js';
import { startEngine } from '../../lib/engine/start.js';
import { nodePlatform } from '../../lib/platform/node.js';
import { sam2Decoder, sam2Encoder } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';

class Item {
  disposed = 0;
  constructor(readonly bytes: number) {}
  dispose(): void {
    this.disposed++;
  }
}

/** A computation that waits for `gate`, and rejects when its signal aborts unless `ignoreAbort`. */
function gated(gate: Promise<void>, ignoreAbort = false) {
  const made: Item[] = [];
  const create = (signal: AbortSignal) =>
    new Promise<Item>((resolve, reject) => {
      if (!ignoreAbort) signal.addEventListener('abort', () => reject(new Error('cancelled')));
      void gate.then(() => {
        if (signal.aborted && !ignoreAbort) return;
        const item = new Item(1);
        made.push(item);
        resolve(item);
      });
    });
  return { create, made };
}

/** The only waiter of key `k` aborts while the computation waits; then a caller with no signal asks for `k`. */
async function abandonThenJoin(ignoreAbort: boolean) {
  const cache = new EmbeddingCache<Item>(100);
  let open!: () => void;
  const { create, made } = gated(new Promise<void>((r) => (open = r)), ignoreAbort);
  const a = new AbortController();
  const first = cache.leaseOrCreate('k', create, a.signal);
  a.abort();
  const second = cache.leaseOrCreate('k', create);
  open();
  await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
  const lease = await second;
  await new Promise((r) => setTimeout(r, 0));
  return { cache, made, lease };
}

describe('EmbeddingCache: joining after the only waiter aborted', () => {
  it('a later caller starts its own computation instead of joining the cancelled one', async () => {
    const { cache, made, lease } = await abandonThenJoin(false);
    expect(lease.hit).toBe(false);
    expect(made).toHaveLength(1);
    expect(cache.size).toBe(1);
  });

  it('an abandoned computation that finishes anyway is disposed, and the key is cached once', async () => {
    const { cache, made, lease } = await abandonThenJoin(true);
    expect(made).toHaveLength(2);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(1);
    expect(made.map((m) => m.disposed).sort()).toEqual([0, 1]);
    expect(lease.value.disposed).toBe(0);
  });
});

describe('engine: a request joining an encode whose only waiter aborted while queued', () => {
  const model = { id: 'fixture/sam2', encoder: sam2Encoder(), decoder: sam2Decoder() };
  const prompt = { point_coords: '[[10,10]]', point_labels: '[1]' };
  const imageB = drawImage(64, 48, (x, y) => texture(y, x));

  type Internals = { cache: { pending: Map<string, unknown> }; runtime: { afterRuns(fn: () => Promise<unknown>): Promise<unknown> } };
  const internals = (engine: SegmentEngine) => engine as unknown as Internals;
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((r) => setImmediate(r));
  };

  it.each(['segment', 'setImage'] as const)('%s: the request that never aborted succeeds', async (method) => {
    const { engine } = await startEngine(nodePlatform, { model, device: 'wasm' });
    try {
      const call = (signal?: AbortSignal) =>
        method === 'segment' ? engine.segment({ image: imageB, ...prompt }, { signal }) : engine.setImage(imageB, { signal });
      // Hold the model queue, as a long encode of another image would, so the next encode waits.
      let open!: () => void;
      const held = internals(engine).runtime.afterRuns(() => new Promise<void>((r) => (open = r)));
      const pending = internals(engine).cache.pending;
      const controller = new AbortController();
      const aborted = call(controller.signal);
      const abortedOutcome = aborted.catch((e: unknown) => e);
      await until(() => pending.size === 1);
      controller.abort();
      const never = call();
      // Let it hash its image and reach the cache while the queue is still held.
      await new Promise((r) => setTimeout(r, 100));
      await until(() => open !== undefined);
      open();
      await held;
      expect(await abortedOutcome).toMatchObject({ code: 'ABORTED' });
      await expect(never).resolves.toBeDefined();
      expect(engine.stats()).toMatchObject({ cachedImages: 1, cacheMisses: 1 });
    } finally {
      await engine.close();
    }
  });
});
