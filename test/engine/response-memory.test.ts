import { describe, expect, it } from 'vitest';
import { PrefaultedMemory } from '../../lib/engine/response-memory.js';
import type { PageFaulter } from '../../lib/platform/page-faulter.js';

/** A helper thread stand-in whose buffers land when the test says so. */
function fakeFaulter() {
  const asked: number[] = [];
  const waiting: Array<{ resolve: (b: ArrayBuffer) => void; reject: (e: Error) => void; byteLength: number }> = [];
  let closed = false;
  const faulter: PageFaulter = {
    fault(byteLength) {
      asked.push(byteLength);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject, byteLength }));
    },
    close() {
      closed = true;
    },
  };
  const land = async () => {
    const w = waiting.shift()!;
    const buffer = new ArrayBuffer(w.byteLength);
    w.resolve(buffer);
    await Promise.resolve();
    return buffer;
  };
  const fail = async () => {
    waiting.shift()!.reject(new Error('helper died'));
    await Promise.resolve();
  };
  return { faulter, asked, land, fail, closed: () => closed };
}

describe('PrefaultedMemory', () => {
  it('hands out the spare the helper made, once, and asks for the next one', async () => {
    const f = fakeFaulter();
    const memory = new PrefaultedMemory(f.faulter);
    const first = memory.take(64);
    expect(first.byteLength).toBe(64);
    expect(memory.stats).toEqual({ prefaulted: 0, fresh: 1 });
    expect(f.asked).toEqual([64]);
    const spare = await f.land();
    const second = memory.take(64);
    expect(second).toBe(spare);
    expect(memory.stats).toEqual({ prefaulted: 1, fresh: 1 });
    // The next spare is asked for at once; until it lands, takes are plain and never repeat a buffer.
    expect(f.asked).toEqual([64, 64]);
    const third = memory.take(64);
    expect(third).not.toBe(spare);
    expect(memory.stats).toEqual({ prefaulted: 1, fresh: 2 });
    expect(f.asked).toEqual([64, 64]);
  });

  it('allocates plainly for another size and keeps spares of the newest size only', async () => {
    const f = fakeFaulter();
    const memory = new PrefaultedMemory(f.faulter);
    memory.take(64);
    await f.land();
    const other = memory.take(128);
    expect(other.byteLength).toBe(128);
    expect(memory.stats).toEqual({ prefaulted: 0, fresh: 2 });
    expect(f.asked).toEqual([64, 128]);
    await f.land();
    expect(memory.take(128).byteLength).toBe(128);
    expect(memory.stats.prefaulted).toBe(1);
  });

  it('falls back to plain allocation for good when the helper fails', async () => {
    const f = fakeFaulter();
    const memory = new PrefaultedMemory(f.faulter);
    memory.take(64);
    await f.fail();
    await Promise.resolve();
    memory.take(64);
    memory.take(64);
    expect(f.asked).toEqual([64]);
    expect(memory.stats).toEqual({ prefaulted: 0, fresh: 3 });
  });

  it('settle() lets a buffer on its way land; close() stops the helper and drops the spare', async () => {
    const f = fakeFaulter();
    const memory = new PrefaultedMemory(f.faulter);
    await memory.settle();
    memory.take(64);
    const settled = memory.settle();
    await f.land();
    await settled;
    memory.close();
    expect(f.closed()).toBe(true);
    memory.take(64);
    expect(memory.stats.prefaulted).toBe(0);
    expect(f.asked).toEqual([64]);
  });
});
