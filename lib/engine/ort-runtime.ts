/**
 * The one place that touches onnxruntime-web objects: sessions, tensors and runs. The `ort` module
 * itself is handed in by the platform (Node: the wasm build; browsers: the WebGPU build), so this
 * file does nothing at import time and never picks a bundle.
 */
import type * as Ort from 'onnxruntime-web';
import { errorOf, errorText, outOfMemoryError, type SegmentAnything2Error, throwIfAborted } from '../errors.js';
import type { ExecutionProvider } from '../options.js';
import type { OrtModule } from '../platform/platform.js';
import { SerialQueue, yieldToEventLoop } from './queue.js';

export type OrtTensor = Ort.Tensor;
export type OrtSession = Ort.InferenceSession;

/** Sessions and runs on one execution provider, with every `session.run` serialized. */
export class OrtRuntime {
  /**
   * One queue for all runs: overlapping `session.run` calls stall WebGPU and are refused by some
   * builds ("Session already started"), so runs never overlap.
   */
  private readonly queue = new SerialQueue();

  constructor(
    readonly ort: OrtModule,
    readonly executionProvider: ExecutionProvider,
  ) {}

  /**
   * A session on exactly one execution provider, so ORT cannot fall back silently. On WebGPU the
   * encoder's outputs stay in GPU buffers and feed the decoder with no read-back; `gpuOutputs` names
   * the outputs that stay on the GPU for other graphs (every output of an encoder).
   */
  async createSession(model: Uint8Array, what: string, gpuOutputs: readonly string[] = []): Promise<OrtSession> {
    const webgpu = this.executionProvider === 'webgpu';
    const location = webgpu && what === 'encoder' ? ('gpu-buffer' as const) : webgpu && gpuOutputs.length ? Object.fromEntries(gpuOutputs.map((n) => [n, 'gpu-buffer' as const])) : undefined;
    try {
      return await this.ort.InferenceSession.create(model, {
        executionProviders: [this.executionProvider],
        graphOptimizationLevel: 'all',
        // Idle pool threads sleep instead of spinning: on small machines a spinning pool starves
        // the page's main thread and the worker's own JS.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
        ...(location ? { preferredOutputLocation: location } : {}),
      });
    } catch (cause) {
      throw errorOf('MODEL_LOAD', `Could not create the ${what} session on ${this.executionProvider}: ${errorText(cause)}`, cause);
    }
  }

  /** A float32 CPU tensor. */
  tensor(data: Float32Array, dims: readonly number[]): OrtTensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  /** Runs `fn` once every run queued so far has finished (e.g. releasing sessions safely). */
  afterRuns<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.push(fn);
  }

  /**
   * Runs `session` after every earlier run has finished, fetching only `fetches`. A run whose
   * `signal` aborts while it waits is dropped without running.
   */
  run(session: OrtSession, feeds: Record<string, OrtTensor>, fetches: readonly string[], signal?: AbortSignal): Promise<Record<string, OrtTensor>> {
    return this.queue.push(async () => {
      // Abort and close messages that arrived meanwhile are handled before this run starts.
      await yieldToEventLoop();
      throwIfAborted(signal);
      try {
        return await session.run(feeds, [...fetches]);
      } catch (cause) {
        throw inferenceError(cause);
      }
    });
  }
}

/**
 * onnxruntime's wording for a failed allocation: wasm's `std::bad_alloc`, a tensor past its size
 * limit (`Tensor shape is too large`, e.g. 100,000 points), WebGPU's buffer failures.
 */
const ALLOCATION_FAILURE = /bad_alloc|out of memory|failed to allocate|allocation failed|Tensor shape is too large/i;

/**
 * onnxruntime's own text, fit for a response body: without its `failed to call OrtRun(). ERROR_CODE:
 * N, ERROR_MESSAGE:` wrapper and without source paths of its build (`/mnt/…/onnxruntime/core/…:123`).
 */
export function ortMessage(text: string): string {
  return text
    .replace(/^.*?ERROR_CODE: \d+, ERROR_MESSAGE: /s, '')
    .replace(/\[ONNXRuntimeError\] : \d+ : \w+ : /g, '')
    .replace(/(?:[A-Za-z]:)?(?:[\\/][\w.+@-]+)+[\\/][\w.+-]+\.(?:cc|cpp|c|h|hpp)(?::\d+)?(?: [\w:~<>*&, ]+\([^)]*\))?/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A runtime failure inside the model, with the runner's row 7 / row 8 bodies. */
function inferenceError(cause: unknown): SegmentAnything2Error {
  const text = errorText(cause);
  if (ALLOCATION_FAILURE.test(text)) return outOfMemoryError(cause);
  const message = ortMessage(text).replace(/\.$/, '');
  return errorOf('INFERENCE', `Error during model execution: ${message}.`, cause);
}

/** Reads a float32 output by name and checks its rank; throws MODEL_CONTRACT naming what was found. */
export function readFloatOutput(results: Record<string, OrtTensor>, name: string, rank: number): { data: Float32Array; dims: readonly number[] } {
  const t = results[name];
  if (!t || t.type !== 'float32' || t.dims.length !== rank || !(t.data instanceof Float32Array)) {
    const found = Object.entries(results).map(([k, v]) => `${k}: ${v.type}[${v.dims.join(', ')}]`);
    throw errorOf('MODEL_CONTRACT', `Expected output ${name} as float32 of rank ${rank}; the model returned ${found.join('; ')}.`);
  }
  return { data: t.data, dims: t.dims };
}
