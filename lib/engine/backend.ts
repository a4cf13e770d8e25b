/**
 * Execution-provider choice. `auto` takes WebGPU when an adapter with the needed limits exists and
 * its sessions start, and otherwise WASM, always with the reason recorded. One provider per session,
 * so ORT never drops WebGPU behind a console warning.
 */

/** The storage-buffer binding the SAM encoders need (a global-attention block's score matrix). */
export const MIN_STORAGE_BINDING = 128 * 1024 * 1024;

/** Why WebGPU cannot be used here, or undefined when an adapter with the needed limits exists. */
export async function webGpuUnavailableReason(gpu: GPU | undefined): Promise<string | undefined> {
  if (!gpu) return 'navigator.gpu is missing: this browser or context has no WebGPU.';
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (!adapter) return 'navigator.gpu.requestAdapter() found no adapter.';
  const binding = adapter.limits.maxStorageBufferBindingSize;
  if (binding < MIN_STORAGE_BINDING) {
    return `the WebGPU adapter allows storage bindings of ${binding} bytes; the models need ${MIN_STORAGE_BINDING}.`;
  }
  return undefined;
}

/** WASM threads ORT can use: more than one only when cross-origin isolated (SharedArrayBuffer). */
export function wasmThreadCount(requested: number | undefined, isolated: boolean, cores: number): number {
  if (!isolated) return 1;
  return Math.max(1, Math.min(requested ?? Math.min(4, cores), cores));
}
