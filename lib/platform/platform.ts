/** What differs between Node and browsers: where ORT comes from, how bytes are read and images decoded. */
import type * as Ort from 'onnxruntime-web';
import { splitSource, type ModelSource, type ModelSpec } from '../models/model-spec.js';
import type { ModelStore } from '../models/model-store.js';
import type { PixelImage } from '../pipeline/preprocess.js';
import type { ExecutionProvider } from '../options.js';
import type { PageFaulter } from './page-faulter.js';
import type { ImageInput } from '../types.js';

/** The onnxruntime-web module (the platform picks its build). */
export type OrtModule = typeof Ort;

/**
 * One platform's answers. The engine asks the platform what it can do (threads, WebGPU) and never
 * tests which platform it is; `name` is for messages only.
 */
export interface Platform {
  readonly name: 'node' | 'browser';
  /** The onnxruntime-web build for this platform and execution provider. */
  loadOrt(device: ExecutionProvider): Promise<OrtModule>;
  readBytes(source: ModelSource, signal?: AbortSignal): Promise<Uint8Array>;
  /** Logical CPU cores, for the WASM thread count. */
  cores(): number;
  /** Whether WASM may run more than one thread here (SharedArrayBuffer: a cross-origin isolated page, or Node). */
  crossOriginIsolated(): boolean;
  /** The most WASM threads the ORT build for `device` can start here, where fewer than the cores allow. */
  wasmThreadLimit?(device: ExecutionProvider): number;
  /** Why WebGPU cannot run the models here, or undefined when it can. */
  webGpuUnavailableReason(): Promise<string | undefined>;
  /** Where checked model downloads persist (Cache Storage in browsers), if anywhere. */
  modelStore(): ModelStore | undefined;
  decodeImage(image: ImageInput): Promise<PixelImage>;
  /** The embedded default model with its files located for this platform. */
  embeddedModel(): ModelSpec;
  /** A helper thread that maps new buffers' pages ahead of use (./page-faulter.ts), where one helps and can run. */
  pageFaulter(): PageFaulter | undefined;
}

/** Bytes from a model source; `fetchUrl` handles anything that is not already bytes. */
export async function bytesOf(source: ModelSource, fetchUrl: (url: string) => Promise<Uint8Array>): Promise<Uint8Array> {
  const { bytes, file } = splitSource(source);
  return bytes ?? fetchUrl(file.url);
}

/** The WASM threads the ORT build for `device` starts here: `wanted`, within the platform's limit. */
export function wasmThreadsFor(platform: Platform, device: ExecutionProvider, wanted: number): number {
  return Math.min(wanted, platform.wasmThreadLimit?.(device) ?? wanted);
}
