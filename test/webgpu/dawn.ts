/**
 * WebGPU for the Node tests: Dawn (the `webgpu` package) on a Vulkan driver. CI has no GPU, so the
 * driver is SwiftShader's Vulkan ICD from Debian's chromium package (Dawn refuses Mesa 22's lavapipe:
 * "Vulkan shaderUniform*ArrayDynamicIndexing required"), and Debian's libvulkan1 loads it. Both are
 * installed by .ci/run; a machine without them fails these tests with the reason, never skips them.
 */
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Gives this process `navigator.gpu` and the WebGPU globals from Dawn, on SwiftShader unless a Vulkan driver was chosen. */
export function installDawn(): GPU {
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
    if (!existsSync(SWIFTSHADER_ICD)) throw new Error(`No Vulkan driver for the WebGPU tests: ${SWIFTSHADER_ICD} (Debian's chromium package) is missing; .ci/run installs it.`);
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const navigator = (globalThis.navigator ?? {}) as Navigator;
  Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  if (!globalThis.navigator) Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true });
  return gpu;
}

/** Removes what {@link installDawn} gave this process, so that later tests in it see plain Node. */
export function uninstallDawn(): void {
  if (globalThis.navigator) Reflect.deleteProperty(globalThis.navigator, 'gpu');
}
