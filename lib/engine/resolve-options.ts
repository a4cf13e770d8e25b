/**
 * Every default of `createSegmenter`'s options, applied once. Capability questions (cores, cross-
 * origin isolation) go to the platform.
 */
import { errorOf } from '../errors.js';
import { resolveModelId } from '../models/registry.js';
import type { EngineOptions, ResolvedEngineOptions, SegmenterOptions } from '../options.js';
import type { Platform } from '../platform/platform.js';

/** The embedding cache's default byte budget: 16 SAM2 images (16 MiB each) or 64 SAM1 images (4 MiB). */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/** WASM threads ORT can use: more than one only when cross-origin isolated (SharedArrayBuffer). */
export function wasmThreadCount(requested: number | undefined, isolated: boolean, cores: number): number {
  if (!isolated) return 1;
  return Math.max(1, Math.min(requested ?? Math.min(4, cores), cores));
}

/** The engine's options with their defaults: the model located, the thread count decided. */
export function resolveOptions(options: EngineOptions, platform: Platform): ResolvedEngineOptions {
  const decoderPrecision = options.decoderPrecision ?? 'fp32';
  if (decoderPrecision !== 'fp32' && decoderPrecision !== 'int8') throw errorOf('UNSUPPORTED', `decoderPrecision must be 'fp32' or 'int8', not ${JSON.stringify(decoderPrecision)}.`);
  const embedded = platform.embeddedModel();
  const model = typeof options.model === 'string' ? resolveModelId(options.model, embedded) : (options.model ?? embedded);
  return {
    model,
    device: options.device ?? 'auto',
    wasmThreads: wasmThreadCount(options.wasmThreads, platform.crossOriginIsolated(), platform.cores()),
    cacheBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
    decoderPrecision,
    ...(options.wasmPaths ? { wasmPaths: options.wasmPaths } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/**
 * Where the engine runs: a worker (`true`, or the caller's factory) where the platform has one, the
 * calling thread otherwise. The engine's own options travel unresolved: the engine's side resolves them.
 */
export function resolveWorker(options: SegmenterOptions, hasWorker: boolean): { worker: false | true | (() => Worker); engine: EngineOptions } {
  const { worker = hasWorker, ...engine } = options;
  return { worker, engine };
}
