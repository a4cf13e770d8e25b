/**
 * Models whose two files are entries of one zip archive, served by a local HTTP server: one
 * download for both, one model store entry when pinned, checked extraction, sane progress.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter } from '../../lib/node.js';
import { readModel, type ModelLoadContext, type ModelLoadProgress } from '../../lib/models/model-loader.js';
import type { ModelSpec } from '../../lib/models/model-spec.js';
import { MemoryModelStore } from '../../lib/models/model-store.js';
import { nodePlatform } from '../../lib/platform/node.js';
import { sam2Decoder, sam2Encoder } from '../fixtures/models.js';
import { expectSameBytes } from '../expect-bytes.js';
import { buildZip } from '../fixtures/zip-builder.js';
import { startTestServer, streamBody, type TestServer } from '../http-server.js';
import { drawImage, texture } from '../helpers.js';

const ENCODER = sam2Encoder();
const DECODER = sam2Decoder();
const ENTRY = { encoder: 'sam2.1_hiera_tiny.encoder.onnx', decoder: 'sam2.1_hiera_tiny.decoder.onnx' };
// The encoder deflated, the decoder stored: both paths of the reader.
const ZIP = buildZip([
  { name: ENTRY.encoder, data: ENCODER },
  { name: ENTRY.decoder, data: DECODER, method: 0 },
]);
const ZIP_SHA = createHash('sha256').update(ZIP).digest('hex');
let server: TestServer;
let hits: Map<string, number>;
let base = '';
let dir = '';

beforeAll(async () => {
  server = await startTestServer((req, res) => {
    const path = req.url ?? '';
    const body = path.endsWith('.zip') ? ZIP : path === '/decoder.onnx' ? DECODER : undefined;
    if (path.startsWith('/spa/')) {
      // A dev server's fallback page for a missing file, sent with 200.
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return void res.end('<!doctype html><title>app</title>');
    }
    if (!body) {
      res.writeHead(404);
      return void res.end();
    }
    res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(body.length) });
    // The body (about 5 KB) in 512-byte chunks, so progress has several steps.
    streamBody(res, body, { chunkBytes: 512, delayMs: 1 });
  });
  ({ base, hits } = server);
  dir = await mkdtemp(join(tmpdir(), 'sam2-web-zip-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A spec whose encoder and decoder are entries of the zip at `path` (with the archive's checks, if any). */
function zipModel(path: string, pins: { bytes?: number; sha256?: string } = {}): ModelSpec {
  const zip = { url: `${base}${path}`, ...pins };
  return { id: `test/zip${path}`, version: '1', encoder: { ...zip, entry: ENTRY.encoder }, decoder: { ...zip, entry: ENTRY.decoder } };
}

function context(events: ModelLoadProgress[], store = new MemoryModelStore()): ModelLoadContext & { store: MemoryModelStore } {
  return { readBytes: nodePlatform.readBytes, store, onProgress: (p) => events.push(p) };
}

describe('models in a zip archive', () => {
  it('downloads the archive once for both files and extracts each', async () => {
    const events: ModelLoadProgress[] = [];
    const ctx = context(events);
    const bytes = await readModel(zipModel('/once.zip'), ctx);
    expectSameBytes(bytes.encoder, ENCODER);
    expectSameBytes(bytes.decoder, DECODER);
    expect(hits.get('/once.zip')).toBe(1);
    // One progress stream, for the archive: monotonic, constant total, ending at loaded === total.
    expect(events.length).toBeGreaterThan(2);
    expect(new Set(events.map((e) => `${e.file} ${e.url} ${e.total} ${e.fromCache}`))).toEqual(new Set([`archive ${base}/once.zip ${ZIP.length} false`]));
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded);
    expect(events.at(-1)!.loaded).toBe(ZIP.length);
    // Unpinned: checked for length only, never kept.
    expect(await ctx.store.list()).toEqual([]);
  });

  it('keeps a pinned archive once in the model store and loads it from there next time', async () => {
    const model = zipModel('/pinned.zip', { bytes: ZIP.length, sha256: ZIP_SHA });
    const store = new MemoryModelStore();
    await (await readModel(model, context([], store))).stored;
    expect(await store.list()).toEqual([{ modelId: model.id, version: '1', file: 'archive', sha256: ZIP_SHA, bytes: ZIP.length }]);
    hits.delete('/pinned.zip');
    const events: ModelLoadProgress[] = [];
    const again = await readModel(model, context(events, store));
    expectSameBytes(again.encoder, ENCODER);
    expectSameBytes(again.decoder, DECODER);
    expect(hits.get('/pinned.zip')).toBeUndefined();
    expect(events).toEqual([{ file: 'archive', url: `${base}/pinned.zip`, loaded: ZIP.length, total: ZIP.length, fromCache: true }]);
  });

  it('fails a wrong archive digest clearly and stores nothing', async () => {
    const ctx = context([]);
    const err = await readModel(zipModel('/bad-sha.zip', { bytes: ZIP.length, sha256: '0'.repeat(64) }), ctx).catch((e) => e);
    expect(err).toMatchObject({ status: 500, code: 'MODEL_LOAD' });
    expect(err.message).toMatch(/bad-sha\.zip failed its integrity check/);
    expect(hits.get('/bad-sha.zip')).toBe(1);
    expect(await ctx.store.list()).toEqual([]);
  });

  it('names a missing entry and the archive', async () => {
    const model = { ...zipModel('/missing-entry.zip'), decoder: { url: `${base}/missing-entry.zip`, entry: 'sam2.1_hiera_tiny.decoder.ort' } };
    const err = await readModel(model, context([])).catch((e) => e);
    expect(err).toMatchObject({ status: 500, code: 'MODEL_LOAD' });
    expect(err.message).toBe(`${base}/missing-entry.zip has no entry sam2.1_hiera_tiny.decoder.ort; it holds: ${ENTRY.encoder}, ${ENTRY.decoder}.`);
  });

  it('mixes an archive entry with a plain file, each with its own progress', async () => {
    const events: ModelLoadProgress[] = [];
    const model: ModelSpec = { ...zipModel('/mixed.zip'), decoder: { url: `${base}/decoder.onnx`, bytes: DECODER.length } };
    const bytes = await readModel(model, context(events));
    expectSameBytes(bytes.encoder, ENCODER);
    expectSameBytes(bytes.decoder, DECODER);
    expect(new Set(events.map((e) => e.file))).toEqual(new Set(['archive', 'decoder']));
  });

  it('reads a local zip file (a path in Node) once, checked against its size and digest', async () => {
    const path = join(dir, 'model.zip');
    await writeFile(path, ZIP);
    const local = { url: path, bytes: ZIP.length, sha256: ZIP_SHA };
    let reads = 0;
    const readBytes: ModelLoadContext['readBytes'] = (source, signal) => (reads++, nodePlatform.readBytes(source, signal));
    const bytes = await readModel({ id: 'local', encoder: { ...local, entry: ENTRY.encoder }, decoder: { ...local, entry: ENTRY.decoder } }, { readBytes });
    expectSameBytes(bytes.encoder, ENCODER);
    expectSameBytes(bytes.decoder, DECODER);
    expect(reads).toBe(1);
    const wrong = { ...local, bytes: ZIP.length + 1 };
    await expect(readModel({ id: 'local', encoder: { ...wrong, entry: ENTRY.encoder }, decoder: DECODER }, { readBytes })).rejects.toThrow(/has \d+ bytes, expected/);
  });

  it('segments with a model loaded from a zip through createSegmenter', async () => {
    const events: ModelLoadProgress[] = [];
    const segmenter = await createSegmenter({ worker: false, model: zipModel('/segment.zip'), onProgress: (p) => events.push(p) });
    try {
      const r = await segmenter.segment({ image: drawImage(40, 30, texture), point_coords: '[[12,7]]', point_labels: '[1]' });
      expect(r.scores.dims).toEqual([3]);
      expect(hits.get('/segment.zip')).toBe(1);
      expect(events.at(-1)).toMatchObject({ file: 'archive', loaded: ZIP.length, total: ZIP.length });
    } finally {
      await segmenter.close();
    }
  });
});

describe('mirrors', () => {
  const pins = { bytes: DECODER.length, sha256: createHash('sha256').update(DECODER).digest('hex') };
  const spec = (urls: string[]): ModelSpec => ({
    id: `test/mirrors/${urls.join()}`,
    encoder: { url: `${base}/decoder.onnx`, ...pins },
    decoder: { url: urls[0]!, mirrors: urls.slice(1), ...pins },
  });

  it('falls back from a missing file and from wrong bytes to the next source, and stores the checked file', async () => {
    const events: ModelLoadProgress[] = [];
    const ctx = context(events);
    const { decoder } = await readModel(spec([`${base}/gone.onnx`, `${base}/wrong.zip`, `${base}/decoder.onnx`]), ctx);
    expectSameBytes(decoder, DECODER);
    expect((await ctx.store.list()).map((e) => e.file).sort()).toEqual(['decoder', 'encoder']);
    const decoderEvents = events.filter((e) => e.file === 'decoder');
    expect(decoderEvents.at(-1)).toMatchObject({ loaded: DECODER.length, total: DECODER.length, url: `${base}/decoder.onnx` });
  });

  it("goes from a server's HTML fallback page to the next source at once, with no retries", async () => {
    hits.delete('/spa/decoder.onnx');
    const ctx = context([]);
    const { decoder } = await readModel(spec([`${base}/spa/decoder.onnx`, `${base}/decoder.onnx`]), ctx);
    expectSameBytes(decoder, DECODER);
    expect(hits.get('/spa/decoder.onnx')).toBe(1);
  });

  it('names every source that failed when none works', async () => {
    const err = await readModel(spec([`${base}/gone.onnx`, `${base}/wrong.zip`]), context([])).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 500, code: 'MODEL_LOAD' });
    expect(String((err as Error).message)).toContain(`${base}/gone.onnx`);
    expect(String((err as Error).message)).toContain(`${base}/wrong.zip`);
  });
});

