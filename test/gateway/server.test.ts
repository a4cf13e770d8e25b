/**
 * The self-hosted runner against real clients: the official `@livepeer/ai` SDK (success and each
 * error class it parses), Node's fetch with hand-built multipart bodies for the parser rules, 16
 * concurrent requests on 3 images, and shutdown with requests in flight. Fixture models (exact and
 * fast) in a worker thread, as `sam2-web serve` runs them.
 */
import { Livepeer } from '@livepeer/ai';
import { HTTPClient } from '@livepeer/ai/lib/http.js';
import * as sdkErrors from '@livepeer/ai/models/errors/index.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type GatewayServer } from '../../lib/gateway/server.js';
import { createSegmenter, toGatewayJSON, type Segmenter } from '../../lib/node.js';
import { fixtureModel } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';

const TOKEN = 'secret-token';
const fixture = () => fixtureModel('sam2');

async function png(width: number, height: number, shift: number): Promise<Uint8Array> {
  const raw = drawImage(width, height, (x, y) => texture(x + shift, y));
  return new Uint8Array(await sharp(raw.data, { raw: { width, height, channels: 4 } }).png().toBuffer());
}

/** A multipart body built by hand: each part is [headers, content]. */
function multipart(parts: [string, string | Uint8Array][], boundary = 'XyZboundary'): { body: Uint8Array<ArrayBuffer>; type: string } {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const [headers, content] of parts) {
    chunks.push(enc.encode(`--${boundary}\r\n${headers}\r\n\r\n`), typeof content === 'string' ? enc.encode(content) : content, enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

const field = (name: string, value: string): [string, string] => [`Content-Disposition: form-data; name="${name}"`, value];
const file = (name: string, bytes: Uint8Array, filename = 'image.png'): [string, Uint8Array] => [
  `Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: image/png`,
  bytes,
];

let segmenter: Segmenter;
let reference: Segmenter;
let server: GatewayServer;
let logs: string[];
let images: Uint8Array[];

beforeAll(async () => {
  logs = [];
  images = await Promise.all([png(96, 64, 0), png(80, 80, 37), png(64, 48, 91)]);
  [segmenter, reference] = await Promise.all([createSegmenter({ model: fixture() }), createSegmenter({ worker: false, model: fixture() })]);
  server = await startGatewayServer(segmenter, { port: 0, token: TOKEN, log: (l) => logs.push(l), closeSegmenter: false });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([segmenter?.close(), reference?.close()]);
});

async function post(parts: [string, string | Uint8Array][], headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, path = '/segment-anything-2') {
  const { body, type } = multipart(parts);
  const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const valid = () => [file('image', images[0]!), field('point_coords', '[[40,30]]'), field('point_labels', '[1]')] as [string, string | Uint8Array][];

describe('the official @livepeer/ai SDK', () => {
  const sdk = (token = TOKEN, httpClient?: HTTPClient) => new Livepeer({ serverURL: server.url, httpBearer: token, ...(httpClient ? { httpClient } : {}) });

  it('gets the runner body of the library, byte for byte', async () => {
    const result = await sdk().generate.segmentAnything2({
      image: { fileName: 'a.png', content: images[0]! },
      pointCoords: '[[40,30]]',
      pointLabels: '[1]',
      multimaskOutput: true,
    });
    const expected = JSON.parse(toGatewayJSON(await reference.segment({ image: images[0]!, point_coords: '[[40,30]]', point_labels: '[1]' })));
    expect(result.masksResponse).toEqual(expected);
  });

  it('parses a 401 (bad token) as HTTPError', async () => {
    const err = await sdk('wrong').generate.segmentAnything2({ image: { fileName: 'a.png', content: images[0]! } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdkErrors.HTTPError);
    expect((err as sdkErrors.HTTPError).detail).toEqual({ msg: 'Invalid bearer token.' });
  });

  it('parses a 400 (invalid JSON) as HTTPError', async () => {
    const err = await sdk().generate.segmentAnything2({ image: { fileName: 'a.png', content: images[0]! }, pointCoords: '[[1,' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdkErrors.HTTPError);
    expect((err as sdkErrors.HTTPError).detail).toEqual({ msg: 'Error parsing JSON for point_coords: Expecting value: line 1 column 5 (char 4)' });
  });

  it('parses a 400 (model mismatch) as HTTPError', async () => {
    const err = await sdk().generate.segmentAnything2({ image: { fileName: 'a.png', content: images[0]! }, modelId: 'facebook/sam2-hiera-large' }).catch((e: unknown) => e);
    expect((err as sdkErrors.HTTPError).detail).toEqual({ msg: 'pipeline configured with fixture/sam2 but called with facebook/sam2-hiera-large.' });
  });

  it('parses a 500 (undecodable image) as HTTPError', async () => {
    const err = await sdk().generate.segmentAnything2({ image: { fileName: 'a.png', content: new TextEncoder().encode('not an image') } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdkErrors.HTTPError);
    expect((err as sdkErrors.HTTPError).detail).toEqual({ msg: 'Segment-anything-2 pipeline error.' });
  });

  it('parses a 422 (a boolean it cannot read) as HTTPValidationError', async () => {
    // The SDK only sends true/false; a hook rewrites its form as another client would send it.
    const client = new HTTPClient().addHook('beforeRequest', async (req) => {
      const form = await req.formData();
      form.set('multimask_output', 'maybe');
      const headers = new Headers(req.headers);
      headers.delete('content-type');
      return new Request(req.url, { method: req.method, headers, body: form });
    });
    const err = await sdk(TOKEN, client)
      .generate.segmentAnything2({ image: { fileName: 'a.png', content: images[0]! }, multimaskOutput: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdkErrors.HTTPValidationError);
    // The SDK's ValidationError model keeps loc, msg and type (not input).
    expect((err as sdkErrors.HTTPValidationError).detail).toEqual([
      { type: 'bool_parsing', loc: ['body', 'multimask_output'], msg: 'Input should be a valid boolean, unable to interpret input' },
    ]);
  });
});

describe('hand-built multipart bodies (the runner rules)', () => {
  it('answers a valid request with 200 and the streamed body', async () => {
    const r = await post(valid());
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.text).toBe(toGatewayJSON(await reference.segment({ image: images[0]!, point_coords: '[[40,30]]', point_labels: '[1]' })));
    expect((await post(valid(), undefined, '/segment-anything-2/')).text).toBe(r.text);
  });

  it('refuses a text image with a 422 value_error', async () => {
    const r = await post([field('image', 'abc')]);
    expect(r.status).toBe(422);
    expect(JSON.parse(r.text)).toEqual({
      detail: [{ type: 'value_error', loc: ['body', 'image'], msg: "Value error, Expected UploadFile, received: <class 'str'>", input: 'abc' }],
    });
  });

  it('refuses a file sent for a text field with a 422 string_type, listed in field order with the other issues', async () => {
    const r = await post([field('multimask_output', 'maybe'), file('point_coords', new TextEncoder().encode('[[40,30]]'), 'p.json'), field('point_labels', '[1]')]);
    expect(r.status).toBe(422);
    expect(JSON.parse(r.text)).toEqual({
      detail: [
        { type: 'missing', loc: ['body', 'image'], msg: 'Field required', input: null },
        { type: 'string_type', loc: ['body', 'point_coords'], msg: 'Input should be a valid string', input: { filename: 'p.json' } },
        { type: 'bool_parsing', loc: ['body', 'multimask_output'], msg: 'Input should be a valid boolean, unable to interpret input', input: 'maybe' },
      ],
    });
    const model = await post([...valid(), file('model_id', new Uint8Array(1), 'm')]);
    expect(model.status).toBe(422);
    expect(JSON.parse(model.text).detail).toEqual([{ type: 'string_type', loc: ['body', 'model_id'], msg: 'Input should be a valid string', input: { filename: 'm' } }]);
  });

  it('takes a part with filename="" as a file', async () => {
    const r = await post([file('image', images[0]!, ''), field('point_coords', '[[40,30]]'), field('point_labels', '[1]')]);
    expect(r.status).toBe(200);
  });

  it('refuses a text part over 1 MiB with the runner 400, and takes one of exactly 1 MiB', async () => {
    const big = await post([...valid(), field('mask_input', ' '.repeat(1024 * 1024 + 1))]);
    expect(big.status).toBe(400);
    expect(big.text).toBe('{"detail":"Part exceeded maximum size of 1024KB."}');
    const edge = await post([...valid(), field('unused', 'x'.repeat(1024 * 1024))]);
    expect(edge.status).toBe(200);
  });

  it("refuses more than 1000 fields or 1000 files with Starlette's 400", async () => {
    const fields = Array.from({ length: 1001 }, (_, i) => field(`f${i}`, '1'));
    const r = await post([...valid(), ...fields]);
    expect(r.status).toBe(400);
    expect(r.text).toBe('{"detail":"Too many fields. Maximum number of fields is 1000."}');
    const files = Array.from({ length: 1000 }, (_, i) => file(`g${i}`, new Uint8Array(1)));
    const f = await post([...valid(), ...files]);
    expect(f.status).toBe(400);
    expect(f.text).toBe('{"detail":"Too many files. Maximum number of files is 1000."}');
  });

  it('refuses a part without a name, and a multipart type without a boundary', async () => {
    const r = await post([['Content-Disposition: form-data', 'x'], ...valid()]);
    expect(r.status).toBe(400);
    expect(r.text).toBe('{"detail":"The Content-Disposition header field \\"name\\" must be provided."}');
    const res = await fetch(server.url + '/segment-anything-2', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('{"detail":"Missing boundary in multipart."}');
  });

  it('reads a body that is not multipart as an empty form (422 missing image)', async () => {
    const res = await fetch(server.url + '/segment-anything-2', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(422);
    expect(await res.text()).toBe('{"detail":[{"type":"missing","loc":["body","image"],"msg":"Field required","input":null}]}');
  });

  it('checks the token after validation: 422 before 401, then 401 with WWW-Authenticate', async () => {
    const missing = await post([field('point_coords', '[[1,2]]')], { authorization: 'Bearer wrong' });
    expect(missing.status).toBe(422);
    const bad = await post(valid(), { authorization: 'Bearer wrong' });
    expect(bad.status).toBe(401);
    expect(bad.text).toBe('{"detail":{"msg":"Invalid bearer token."}}');
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    const none = await post(valid(), {});
    expect(none.status).toBe(401);
    // A token check comes before model_id and the prompt fields.
    const both = await post([...valid(), field('model_id', 'other')], { authorization: 'Basic abc' });
    expect(both.status).toBe(401);
  });

  it('answers /health, 404 and 405 as FastAPI does, and logs one line per request', async () => {
    const health = await fetch(server.url + '/health');
    expect([health.status, await health.text()]).toEqual([200, '{"status":"OK"}']);
    const missing = await fetch(server.url + '/nope');
    expect([missing.status, await missing.text()]).toEqual([404, '{"detail":"Not Found"}']);
    const get = await fetch(server.url + '/segment-anything-2');
    expect([get.status, await get.text(), get.headers.get('allow')]).toEqual([405, '{"detail":"Method Not Allowed"}', 'POST']);
    expect(logs).toContainEqual(expect.stringMatching(/^GET \/health 200 \d+(\.\d+)?ms$/));
    expect(logs).toContainEqual(expect.stringMatching(/^GET \/nope 404 /));
    expect(logs).toContainEqual(expect.stringMatching(/^POST \/segment-anything-2 200 /));
  });
});

describe('concurrency', () => {
  it('answers 16 concurrent requests on 3 images exactly as 16 sequential ones', async () => {
    const requests = Array.from({ length: 16 }, (_, i) => [
      file('image', images[i % 3]!),
      field('point_coords', `[[${10 + i * 3},${8 + i * 2}]]`),
      field('point_labels', '[1]'),
      field('multimask_output', i % 2 ? 'true' : 'false'),
    ]) as [string, string | Uint8Array][][];
    const concurrent = await Promise.all(requests.map((r) => post(r)));
    const sequential = [];
    for (const r of requests) sequential.push(await post(r));
    expect(concurrent.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(concurrent.map((r) => r.text)).toEqual(sequential.map((r) => r.text));
    expect(new Set(concurrent.map((r) => r.text)).size).toBe(16);
  });

  it('answers 503 with Retry-After past the queue bound', async () => {
    const seg = await createSegmenter({ worker: false, model: fixture() });
    const small = await startGatewayServer(seg, { port: 0, maxQueue: 1, log: () => undefined });
    try {
      const send = () => {
        const { body, type } = multipart(valid());
        return fetch(small.url + '/segment-anything-2', { method: 'POST', headers: { 'content-type': type }, body });
      };
      const answers = await Promise.all(Array.from({ length: 6 }, send));
      const statuses = answers.map((r) => r.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(503);
      const refused = answers.find((r) => r.status === 503)!;
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toEqual({ detail: { msg: "The server's queue is full (1 requests)." } });
    } finally {
      await small.close();
    }
  });

  it('refuses a body over maxBodyBytes with 413', async () => {
    const seg = await createSegmenter({ worker: false, model: fixture() });
    const small = await startGatewayServer(seg, { port: 0, maxBodyBytes: 1000, log: () => undefined });
    try {
      const { body, type } = multipart(valid());
      const res = await fetch(small.url + '/segment-anything-2', { method: 'POST', headers: { 'content-type': type }, body });
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('shutdown', () => {
  it('finishes requests in flight, refuses new ones, then closes the segmenter', async () => {
    const seg = await createSegmenter({ model: fixture() });
    const s = await startGatewayServer(seg, { port: 0, log: () => undefined });
    const send = (i: number) => {
      const { body, type } = multipart([file('image', images[i % 3]!), field('point_coords', '[[20,20]]'), field('point_labels', '[1]')]);
      return fetch(s.url + '/segment-anything-2', { method: 'POST', headers: { 'content-type': type }, body }).then(async (r) => ({ status: r.status, text: await r.text() }));
    };
    const inFlight = [0, 1, 2, 3].map(send);
    // Wait until the server has admitted them all, then shut down.
    while (s.pending < 4) await new Promise((r) => setTimeout(r, 5));
    const closed = s.close();
    const late = await send(4).catch((e: unknown) => ({ status: 0, text: String(e) }));
    const answers = await Promise.all(inFlight);
    await closed;
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.every((a) => a.text.startsWith('{"masks":"[[['))).toBe(true);
    // Refused: a 503 on a kept-alive connection, or no connection at all.
    expect([0, 503]).toContain(late.status);
    const err = await seg.segment({ image: images[0]! }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('CLOSED');
  });
});
