/** Model downloads against a local HTTP server serving local bytes: progress, retries, integrity, cancel. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadModelFile, type DownloadProgress } from '../../lib/models/download.js';
import { loadModelFile, MemoryModelStore } from '../../lib/models/model-store.js';
import { startTestServer, streamBody, type TestServer } from '../http-server.js';

const DATA = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 255);
const SHA = createHash('sha256').update(DATA).digest('hex');
let server: TestServer;
let base = '';
let hits: Map<string, number>;

beforeAll(async () => {
  server = await startTestServer((req, res, n) => {
    const path = req.url ?? '';
    const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const from = range ? Number(range[1]) : 0;
    const full = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(DATA.length) };
    switch (path) {
      case '/model.bin':
        res.writeHead(200, full);
        return streamBody(res, DATA);
      case '/no-length.bin':
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        return streamBody(res, DATA);
      case '/missing.bin':
        res.writeHead(404, { 'Content-Type': 'text/html' });
        return res.end('<h1>Not found</h1>');
      // A dev server's or a single-page app's fallback: its index page, with 200, for any missing path.
      case '/spa/model.bin':
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        return res.end('<!doctype html><html><head><script type="module" src="/@vite/client"></script></head></html>');
      // The same page with a misleading type: known from its first bytes.
      case '/sniffed.bin':
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(DATA.length) });
        return res.end('\n  <!DOCTYPE html>\n<html lang="en"></html>');
      case '/html-tag.bin':
        res.writeHead(200);
        return res.end('<html><body>Moved</body></html>');
      case '/flaky.bin':
        if (n === 1) {
          res.writeHead(500);
          return res.end('oops');
        }
        res.writeHead(200, full);
        return streamBody(res, DATA);
      case '/drop-resumable.bin':
        if (range) {
          res.writeHead(206, { 'Content-Length': String(DATA.length - from), 'Content-Range': `bytes ${from}-${DATA.length - 1}/${DATA.length}` });
          return streamBody(res, DATA.subarray(from));
        }
        res.writeHead(200, full);
        return streamBody(res, DATA, { stopAt: 100_000 });
      case '/drop-no-range.bin':
        res.writeHead(200, full);
        return streamBody(res, DATA, { stopAt: n === 1 ? 150_000 : DATA.length });
      case '/always-drop.bin':
        res.writeHead(200, full);
        return streamBody(res, DATA, { stopAt: 50_000 });
      case '/slow.bin':
        res.writeHead(200, full);
        return streamBody(res, DATA, { delayMs: 50 });
      default:
        res.writeHead(404);
        res.end();
    }
  });
  ({ base, hits } = server);
});
afterAll(() => server?.close());

function expectProgressInvariants(events: DownloadProgress[], total: number): void {
  expect(events.length).toBeGreaterThan(2);
  for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded);
  expect(new Set(events.map((e) => e.total))).toEqual(new Set([total]));
  expect(events.at(-1)!.loaded).toBe(total);
}

const fast = { retryDelayMs: 5 };

describe('downloadModelFile', () => {
  it('streams with monotonic progress, a constant total, and ends at loaded === total', async () => {
    const events: DownloadProgress[] = [];
    const data = await downloadModelFile(`${base}/model.bin`, { ...fast, bytes: DATA.length, sha256: SHA, onProgress: (p) => events.push(p) });
    expect(data).toEqual(DATA);
    expectProgressInvariants(events, DATA.length);
  });

  it('takes the total from Content-Length when the manifest gives none', async () => {
    const events: DownloadProgress[] = [];
    await downloadModelFile(`${base}/model.bin`, { ...fast, onProgress: (p) => events.push(p) });
    expectProgressInvariants(events, DATA.length);
  });

  it('checks the length of a response without Content-Length against the manifest', async () => {
    await expect(downloadModelFile(`${base}/no-length.bin`, { ...fast, bytes: DATA.length, sha256: SHA })).resolves.toHaveLength(DATA.length);
    await expect(downloadModelFile(`${base}/no-length.bin`, { ...fast, retries: 0, bytes: DATA.length + 1 })).rejects.toThrow(/ended after 300000 of 300001 bytes/);
  });

  it('fails a SHA-256 mismatch clearly', async () => {
    const err = await downloadModelFile(`${base}/model.bin`, { ...fast, sha256: '0'.repeat(64) }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MODEL_LOAD', status: 500 });
    expect(err.message).toMatch(/failed its integrity check: SHA-256 [0-9a-f]{64}, expected 0{64}/);
  });

  it('fails a 404 at once, without retrying, and never returns the error page', async () => {
    hits.delete('/missing.bin');
    await expect(downloadModelFile(`${base}/missing.bin`, fast)).rejects.toThrow(/HTTP 404/);
    expect(hits.get('/missing.bin')).toBe(1);
  });

  it('takes an HTML page (text/html, or a body that starts like one) for "not found": fails at once, never retried', async () => {
    for (const path of ['/spa/model.bin', '/sniffed.bin', '/html-tag.bin']) {
      hits.delete(path);
      const events: DownloadProgress[] = [];
      // With the default backoff a retry would add at least 500 ms and a second hit.
      const err = await downloadModelFile(`${base}${path}`, { bytes: DATA.length, onProgress: (p) => events.push(p) }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 500, code: 'MODEL_LOAD' });
      expect((err as Error).message).toMatch(new RegExp(`^Could not fetch ${base}${path}: not found \\(HTTP 200 answered with an HTML page`));
      expect(hits.get(path)).toBe(1);
      expect(events.every((e) => e.loaded === 0)).toBe(true);
    }
  });

  it('retries a 500 with backoff', async () => {
    hits.delete('/flaky.bin');
    await expect(downloadModelFile(`${base}/flaky.bin`, { ...fast, sha256: SHA })).resolves.toHaveLength(DATA.length);
    expect(hits.get('/flaky.bin')).toBe(2);
  });

  it('resumes a dropped connection with a Range request', async () => {
    const events: DownloadProgress[] = [];
    const data = await downloadModelFile(`${base}/drop-resumable.bin`, { ...fast, bytes: DATA.length, sha256: SHA, onProgress: (p) => events.push(p) });
    expect(data).toEqual(DATA);
    expectProgressInvariants(events, DATA.length);
  });

  it('starts over when the server ignores Range, and progress still never goes back', async () => {
    hits.delete('/drop-no-range.bin');
    const events: DownloadProgress[] = [];
    const data = await downloadModelFile(`${base}/drop-no-range.bin`, { ...fast, bytes: DATA.length, sha256: SHA, onProgress: (p) => events.push(p) });
    expect(data).toEqual(DATA);
    expectProgressInvariants(events, DATA.length);
    expect(hits.get('/drop-no-range.bin')).toBe(2);
  });

  it('gives up after the retries with a clear error', async () => {
    await expect(downloadModelFile(`${base}/always-drop.bin`, { ...fast, retries: 2 })).rejects.toThrow(/^The download of .* broke off after \d+ bytes: .* \(after 3 attempts\)$/);
  });

  it('cancels with an AbortSignal', async () => {
    const controller = new AbortController();
    const p = downloadModelFile(`${base}/slow.bin`, { ...fast, signal: controller.signal, onProgress: (e) => e.loaded > 0 && controller.abort() });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('loadModelFile and the model store', () => {
  const spec = { url: '', bytes: DATA.length, sha256: SHA };
  const entry = { modelId: 'test/model', version: '1', file: 'encoder' as const };

  it('downloads once, then serves from the store', async () => {
    const store = new MemoryModelStore();
    const first = await loadModelFile({ ...spec, url: `${base}/model.bin` }, entry, { store, ...fast });
    await first.stored;
    hits.delete('/model.bin');
    const second = await loadModelFile({ ...spec, url: `${base}/model.bin` }, entry, { store, ...fast });
    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(second.data).toEqual(DATA);
    expect(hits.get('/model.bin')).toBeUndefined();
    expect(await store.list()).toEqual([{ ...entry, sha256: SHA, bytes: DATA.length }]);
    expect(await store.delete('test/model')).toBe(1);
    expect(await store.list()).toEqual([]);
  });

  it('never stores a failed, corrupt or cancelled download', async () => {
    const store = new MemoryModelStore();
    await expect(loadModelFile({ ...spec, url: `${base}/missing.bin` }, entry, { store, ...fast })).rejects.toThrow();
    await expect(loadModelFile({ ...spec, url: `${base}/model.bin`, sha256: 'f'.repeat(64) }, entry, { store, ...fast })).rejects.toThrow(/integrity/);
    await expect(loadModelFile({ ...spec, url: `${base}/always-drop.bin` }, entry, { store, ...fast, retries: 1 })).rejects.toThrow();
    await expect(loadModelFile({ ...spec, url: `${base}/slow.bin` }, entry, { store, ...fast, signal: AbortSignal.timeout(30) })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await store.list()).toEqual([]);
  });
});
