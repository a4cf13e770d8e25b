/**
 * The second corpus (issue 12): every entry gets the runner's status, code and whole body, in Node
 * (`worker: false`) and through the worker client and RPC, and no raw RangeError or onnxruntime text
 * ever comes out. After each, the same segmenter answers the valid request byte-identically from
 * its cached embedding.
 */
import { expose } from 'comlink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, SegmentAnything2Error, toGatewayJSON, type Segmenter, type SegmentAnything2Response } from '../../lib/node.js';
import { nodePlatform } from '../../lib/platform/node.js';
import type { SegmentAnything2Request } from '../../lib/types.js';
import { WorkerSegmenter } from '../../lib/worker-client.js';
import { createWorkerApi } from '../../worker/api.js';
import { sam2Decoder, sam2Encoder } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';
import { BASE_REQUEST } from './corpus.js';
import { CORPUS2, type Corpus2Entry } from './corpus2.js';

const model = { id: 'fixture/sam2', encoder: sam2Encoder(), decoder: sam2Decoder() };
const image = drawImage(40, 30, texture);

function requestOf(entry: Corpus2Entry): SegmentAnything2Request {
  const merged: Record<string, unknown> = { image, ...BASE_REQUEST, ...entry.request };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return merged as unknown as SegmentAnything2Request;
}

/** Internal text that must never reach a body. */
const LEAKS = ['ERROR_CODE', 'bad_alloc', '/mnt/', 'onnxruntime', 'Maximum call stack', 'RangeError'];

async function check(entry: Corpus2Entry, run: () => Promise<SegmentAnything2Response>): Promise<void> {
  const settled: { response?: SegmentAnything2Response; error?: unknown } = await run().then(
    (response) => ({ response }),
    (error: unknown) => ({ error }),
  );
  if (entry.status === 200) {
    expect(settled.error).toBeUndefined();
    expect(settled.response!.masks.dims[0]).toBe(settled.response!.scores.data.length);
    return;
  }
  const e = settled.error as SegmentAnything2Error;
  expect(e).toBeInstanceOf(SegmentAnything2Error);
  expect(e).toMatchObject({ status: entry.status, code: entry.code });
  const body = JSON.stringify(e);
  expect(body).toBe(entry.body);
  for (const leak of LEAKS) expect(body).not.toContain(leak);
}

describe('second corpus', () => {
  it('covers the issue 12 groups', () => {
    expect(CORPUS2.length).toBeGreaterThanOrEqual(20);
    expect(new Set(CORPUS2.map((e) => e.name)).size).toBe(CORPUS2.length);
  });
});

describe('second corpus, in Node (worker: false)', () => {
  let segmenter: Segmenter;
  let baseline: string;
  beforeAll(async () => {
    segmenter = await createSegmenter({ worker: false, model });
    baseline = toGatewayJSON(await segmenter.segment({ image, ...BASE_REQUEST }));
  });
  afterAll(() => segmenter.close());

  it.each(CORPUS2.map((e) => [e.name, e] as const))('%s', async (_, entry) => {
    const before = await segmenter.stats();
    await check(entry, () => segmenter.segment(requestOf(entry)));
    const again = await segmenter.segment({ image, ...BASE_REQUEST });
    expect(toGatewayJSON(again)).toBe(baseline);
    const after = await segmenter.stats();
    expect(after.encoderRuns).toBe(before.encoderRuns);
  });
});

describe('second corpus, through the worker client and the worker RPC', () => {
  let segmenter: Segmenter;
  let baseline: string;
  beforeAll(async () => {
    // The worker side on a MessageChannel port, as comlink's own tests do, behind the real client.
    const channel = new MessageChannel();
    expose(createWorkerApi(nodePlatform), channel.port1);
    const worker = Object.assign(channel.port2, { terminate: () => (channel.port1.close(), channel.port2.close()) });
    segmenter = await WorkerSegmenter.start({ model, device: 'wasm' }, () => worker as unknown as Worker);
    baseline = toGatewayJSON(await segmenter.segment({ image, ...BASE_REQUEST }));
  });
  afterAll(() => segmenter.close());

  it.each(CORPUS2.map((e) => [e.name, e] as const))('%s', async (_, entry) => {
    await check(entry, () => segmenter.segment(requestOf(entry)));
    expect(toGatewayJSON(await segmenter.segment({ image, ...BASE_REQUEST }))).toBe(baseline);
  });
});
