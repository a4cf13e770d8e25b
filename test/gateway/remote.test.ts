/**
 * The remote engine against this package's own server: byte-identical answers to the local engine
 * (float32 and bits, encoded images and raw pixels), the same status/code/detail for errors, a gateway-layer server's error shape,
 * and `fallback: 'remote'` when the local model cannot load.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type GatewayServer } from '../../lib/gateway/server.js';
import { encodeRgbPng } from '../../lib/image/png-encode.js';
import { createSegmenter, SegmentAnything2Error, toGatewayJSON, type Segmenter, type SegmentAnything2Request } from '../../lib/node.js';
import { fixtureModel, sam2Decoder } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';

const fixture = () => fixtureModel('sam2');
let local: Segmenter;
let server: GatewayServer;
let remote: Segmenter;
let image: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  const raw = drawImage(120, 90, texture);
  image = new Uint8Array(await sharp(raw.data, { raw: { width: 120, height: 90, channels: 4 } }).png().toBuffer());
  const [served, reference] = await Promise.all([createSegmenter({ worker: false, model: fixture() }), createSegmenter({ worker: false, model: fixture() })]);
  local = reference;
  server = await startGatewayServer(served, { port: 0, token: 't0k', log: () => undefined });
  remote = await createSegmenter({ remote: { url: server.url, token: 't0k' } });
});

afterAll(async () => {
  await Promise.all([server?.close(), local?.close(), remote?.close()]);
});

const outcome = (p: Promise<unknown>) =>
  p.then(
    (r) => ({ ok: r }),
    (e: unknown) => ({ status: (e as SegmentAnything2Error).status, code: (e as SegmentAnything2Error).code, detail: (e as SegmentAnything2Error).detail, isError: e instanceof SegmentAnything2Error }),
  );

describe('remote engine (runner layer, against sam2-web serve)', () => {
  it('says where it runs', () => {
    expect(remote.backend).toEqual({ device: 'remote', threads: 0, remote: `${server.url}/segment-anything-2` });
  });

  it.each<[string, Omit<SegmentAnything2Request, 'image'>]>([
    ['one point', { point_coords: '[[60,40]]', point_labels: '[1]' }],
    ['points as arrays, single mask, 0/1 masks', { point_coords: [[30, 20], [90, 70]], point_labels: [1, 0], multimask_output: false, return_logits: 'no' }],
    ['a box and typed arrays', { box: Float32Array.from([10.5, 12.25, 80, 70]), point_coords: new Float32Array([40, 40]), point_labels: Int32Array.from([1]) }],
  ])('answers %s byte-identically to the local engine', async (_, fields) => {
    const [a, b] = await Promise.all([remote.segment({ image, ...fields }), local.segment({ image, ...fields })]);
    expect(toGatewayJSON(a)).toBe(toGatewayJSON(b));
    expect(a.masks.data).toBeInstanceOf(Float32Array);
  });

  it('round-trips logits as mask_input (float32 digits stay under the 1 MiB part limit) and bits masks', async () => {
    const first = await local.segment({ image, point_coords: '[[60,40]]', point_labels: '[1]' });
    const mask_input = { data: first.logits.data.subarray(0, 65536), dims: [1, 256, 256] };
    const fields = { point_coords: '[[60,40]]', point_labels: '[1]', mask_input };
    const [a, b] = await Promise.all([remote.segment({ image, ...fields }, { maskFormat: 'bits' }), local.segment({ image, ...fields }, { maskFormat: 'bits' })]);
    expect(a.masks).toEqual(b.masks);
    expect(toGatewayJSON(a)).toBe(toGatewayJSON(b));
  });

  it('prompts a setImage handle', async () => {
    const handle = await remote.setImage(new Blob([image]));
    expect([handle.width, handle.height]).toEqual([120, 90]);
    const a = await remote.segment({ image: handle, point_coords: '[[20,20]]', point_labels: '[1]' });
    const b = await local.segment({ image, point_coords: '[[20,20]]', point_labels: '[1]' });
    expect(toGatewayJSON(a)).toBe(toGatewayJSON(b));
  });

  it('sends raw pixels (RGBA with varying alpha, RGB, ImageData-like) as a lossless PNG, byte-identically to local', async () => {
    const rgba = drawImage(120, 90, texture);
    // Alpha that varies: dropped, never composited, by the local engine and by the PNG sent.
    for (let i = 3; i < rgba.data.length; i += 4) rgba.data[i] = (i * 37) & 255;
    const rgb = new Uint8Array(120 * 90 * 3);
    for (let p = 0; p < 120 * 90; p++) rgb.set(rgba.data.subarray(p * 4, p * 4 + 3), p * 3);
    const clamped = { data: new Uint8ClampedArray(rgba.data), width: 120, height: 90 };
    const reference = await local.segment({ image: rgba, point_coords: '[[60,40]]', point_labels: '[1]' });
    for (const raw of [rgba, { data: rgb, width: 120, height: 90, channels: 3 as const }, clamped]) {
      const a = await remote.segment({ image: raw, point_coords: '[[60,40]]', point_labels: '[1]' });
      expect(toGatewayJSON(a)).toBe(toGatewayJSON(reference));
    }
    // The PNG itself: sharp reads back exactly the RGB pixels.
    const png = await encodeRgbPng({ data: rgba.data, width: 120, height: 90, channels: 4 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([120, 90, 3]);
    expect(new Uint8Array(data).every((v, i) => v === rgb[i])).toBe(true);
    // A setImage handle of raw pixels prompts the same.
    const handle = await remote.setImage({ data: rgb, width: 120, height: 90, channels: 3 });
    expect([handle.width, handle.height]).toEqual([120, 90]);
    expect(toGatewayJSON(await remote.segment({ image: handle, point_coords: '[[60,40]]', point_labels: '[1]' }))).toBe(toGatewayJSON(reference));
    // Raw pixels that do not add up are the local engine's error, before anything is sent.
    const short = { image: { data: new Uint8Array(10), width: 120, height: 90 } } as SegmentAnything2Request;
    const [x, y] = await Promise.all([outcome(remote.segment(short)), outcome(local.segment(short))]);
    expect(x).toEqual(y);
    expect(x).toMatchObject({ code: 'INVALID_IMAGE', isError: true });
  });

  it.each<[string, Record<string, unknown>]>([
    ['invalid JSON', { point_coords: '[[1,' }],
    ['a ragged array', { point_coords: '[[1,2],[3]]', point_labels: '[1,1]' }],
    ['another model', { model_id: 'facebook/sam2-hiera-large' }],
    ['a bad boolean', { multimask_output: 'maybe' }],
    ['a text part over 1 MiB', { mask_input: ' '.repeat(1024 * 1024 + 1) }],
    ['an undecodable image', { image: new Uint8Array([1, 2, 3]) }],
    ['labels that do not match the points', { point_coords: '[[1,2],[3,4]]', point_labels: '[1]' }],
  ])('rethrows %s with the local status, code and detail', async (_, fields) => {
    const request = { image, ...fields } as SegmentAnything2Request;
    const [a, b] = await Promise.all([outcome(remote.segment(request)), outcome(local.segment(request))]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ isError: true });
  });

  it('rethrows a 401 for a wrong token', async () => {
    const wrong = await createSegmenter({ remote: { url: server.url, token: 'nope' } });
    expect(await outcome(wrong.segment({ image }))).toEqual({ status: 401, code: 'UNAUTHORIZED', detail: { msg: 'Invalid bearer token.' }, isError: true });
  });
});

describe('remote engine (gateway layer)', () => {
  it("maps go-livepeer's error bodies and sends the gateway's model id and booleans", async () => {
    const seen: string[] = [];
    const answers = [
      [400, '{"error":{"message":": Error during model execution: boom."}}\n'],
      [503, '{"error":{"message":"Service Unavailable Error"}}\n'],
      [500, '{"error":{"message":"Internal Server Error"}}\n'],
    ] as const;
    let n = 0;
    const fake = createServer((req, res) => {
      void new Response(req as unknown as ReadableStream, { headers: { 'content-type': req.headers['content-type']! } })
        .formData()
        .then((form) => {
          seen.push(`${form.get('model_id')} ${form.get('multimask_output')}`);
          const [status, body] = answers[n++ % answers.length]!;
          res.writeHead(status, { 'content-type': 'application/json' }).end(body);
        });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const gw = await createSegmenter({ remote: { url, layer: 'gateway' } });
    try {
      expect(gw.modelId).toBe('facebook/sam2-hiera-large');
      expect(await outcome(gw.segment({ image, multimask_output: 'yes' }))).toEqual({
        status: 400,
        code: 'INVALID_PROMPT',
        detail: { msg: 'Error during model execution: boom.' },
        isError: true,
      });
      expect(await outcome(gw.segment({ image }))).toEqual({ status: 503, code: 'UNAVAILABLE', detail: { msg: 'Service Unavailable Error' }, isError: true });
      expect(await outcome(gw.segment({ image }))).toMatchObject({ status: 500, code: 'INFERENCE' });
      expect(seen).toEqual(['facebook/sam2-hiera-large true', 'facebook/sam2-hiera-large null', 'facebook/sam2-hiera-large null']);
    } finally {
      await gw.close();
      fake.close();
    }
  });
});

describe("fallback: 'remote'", () => {
  it('goes remote when the local model cannot load, and says so in backend', async () => {
    const broken = { id: 'fixture/sam2', encoder: new Uint8Array([1, 2, 3]), decoder: sam2Decoder() };
    const s = await createSegmenter({ worker: false, model: broken, remote: { url: server.url, token: 't0k' }, fallback: 'remote' });
    try {
      expect(s.backend.device).toBe('remote');
      expect(s.backend.fallbackReason).toMatch(/^the local model could not load \(MODEL_LOAD\)/);
      const a = await s.segment({ image, point_coords: '[[60,40]]', point_labels: '[1]' });
      const b = await local.segment({ image, point_coords: '[[60,40]]', point_labels: '[1]' });
      expect(toGatewayJSON(a)).toBe(toGatewayJSON(b));
    } finally {
      await s.close();
    }
  });

  it('stays local while the local model runs', async () => {
    const s = await createSegmenter({ worker: false, model: fixture(), remote: { url: 'http://127.0.0.1:9/' }, fallback: 'remote' });
    try {
      expect(s.backend.device).toBe('wasm');
      const a = await s.segment({ image, point_coords: '[[60,40]]', point_labels: '[1]' });
      expect(a.scores.dims).toEqual([3]);
      // A bad request is the caller's error, not a reason to go remote.
      const err = await s.segment({ image, point_coords: '[[' }).catch((e: unknown) => e);
      expect((err as SegmentAnything2Error).code).toBe('INVALID_JSON');
      expect(s.backend.device).toBe('wasm');
    } finally {
      await s.close();
    }
  });
});
