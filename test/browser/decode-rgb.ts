/** Decodes image bytes with the browser platform, as RGB, or the error's status and code. */
import { browserPlatform } from '../../lib/platform/browser.js';

export type DecodedRgb = { width: number; height: number; rgb: number[] } | { error: string };

export async function decodeRgb(bytes: Uint8Array): Promise<DecodedRgb> {
  try {
    const p = await browserPlatform.decodeImage(bytes);
    const rgb: number[] = [];
    for (let i = 0; i < p.width * p.height; i++) rgb.push(p.data[i * p.channels]!, p.data[i * p.channels + 1]!, p.data[i * p.channels + 2]!);
    return { width: p.width, height: p.height, rgb };
  } catch (e) {
    const err = e as { status?: number; code?: string; message?: string };
    return { error: `${err.status} ${err.code ?? err.message}` };
  }
}
