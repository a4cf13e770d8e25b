/**
 * Whether WebGPU can run the models here: an adapter must exist and allow the storage bindings the
 * SAM encoders need. The engine asks the platform, which asks this.
 */

import { errorText } from '../errors.js';

/** The storage-buffer binding the SAM encoders need (a global-attention block's score matrix). */
export const MIN_STORAGE_BINDING = 128 * 1024 * 1024;

/** Why WebGPU cannot be used here, or undefined when an adapter with the needed limits exists. */
export async function webGpuUnavailableReason(gpu: GPU | undefined): Promise<string | undefined> {
  if (!gpu) return 'navigator.gpu is missing: this browser or context has no WebGPU.';
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${errorText(e)}`;
  }
  if (!adapter) return 'navigator.gpu.requestAdapter() found no adapter.';
  const binding = adapter.limits.maxStorageBufferBindingSize;
  if (binding < MIN_STORAGE_BINDING) {
    return `the WebGPU adapter allows storage bindings of ${binding} bytes; the models need ${MIN_STORAGE_BINDING}.`;
  }
  return undefined;
}
