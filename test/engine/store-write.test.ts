/**
 * Downloaded model files are written to the store while the sessions are created (not before), and
 * the engine starts only once they are kept; a failed write still fails the start and frees the
 * sessions, as when the write came first.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SegmentEngine } from '../../lib/engine/engine.js';
import { startEngine } from '../../lib/engine/start.js';
import { MemoryModelStore, type StoredModelFile } from '../../lib/models/model-store.js';
import { nodePlatform } from '../../lib/platform/node.js';
import { sam2Decoder, sam2Encoder } from '../fixtures/models.js';
import { startTestServer, type TestServer } from '../http-server.js';

const FILES: Record<string, Uint8Array> = { '/encoder.onnx': sam2Encoder(), '/decoder.onnx': sam2Decoder() };
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer((req, res) => {
    const body = FILES[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-length': body?.length ?? 0 });
    res.end(body);
  });
});
afterAll(() => server.close());

const file = (path: string) => ({ url: `${server.base}${path}`, bytes: FILES[path]!.length, sha256: createHash('sha256').update(FILES[path]!).digest('hex') });
const model = () => ({ id: 'fixture/store-write', version: '1', encoder: file('/encoder.onnx'), decoder: file('/decoder.onnx') });

/** A store whose writes wait for `release()` (or fail with `fail()`). */
class GatedStore extends MemoryModelStore {
  writes = 0;
  release!: () => void;
  fail!: (e: Error) => void;
  private readonly gate = new Promise<void>((resolve, reject) => Object.assign(this, { release: resolve, fail: reject }));
  override async put(entry: StoredModelFile, data: Uint8Array) {
    this.writes++;
    await this.gate;
    await super.put(entry, data);
  }
}

async function until(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the model store write', () => {
  it('overlaps session creation; the engine starts once both files are kept', async () => {
    const store = new GatedStore();
    const created = vi.spyOn(SegmentEngine, 'create');
    let started = false;
    const start = startEngine({ ...nodePlatform, modelStore: () => store }, { model: model(), device: 'wasm' }).then((s) => ((started = true), s));
    // Both writes are pending while the sessions are created.
    await until(() => created.mock.results.length === 1 && created.mock.settledResults[0]?.type === 'fulfilled');
    expect(store.writes).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toBe(false);
    store.release();
    const { engine } = await start;
    expect((await store.list()).map((e) => e.file).sort()).toEqual(['decoder', 'encoder']);
    await engine.close();
    created.mockRestore();
  });

  it('fails the start when a write fails, and closes the engine it made', async () => {
    const store = new GatedStore();
    const created = vi.spyOn(SegmentEngine, 'create');
    const start = startEngine({ ...nodePlatform, modelStore: () => store }, { model: model(), device: 'wasm' });
    await until(() => created.mock.settledResults[0]?.type === 'fulfilled');
    const engine = (await created.mock.results[0]!.value) as SegmentEngine;
    const close = vi.spyOn(engine, 'close');
    store.fail(new Error('QuotaExceededError'));
    await expect(start).rejects.toThrow('QuotaExceededError');
    expect(close).toHaveBeenCalled();
    expect(await store.list()).toEqual([]);
    created.mockRestore();
  });
});
