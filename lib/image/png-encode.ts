/**
 * Raw pixels as a lossless 8-bit RGB PNG (alpha dropped, as the engine and Pillow's
 * `convert("RGB")` drop it), compressed with the platform's `CompressionStream('deflate')` (zlib,
 * as PNG wants): what the remote engine sends for pixels it cannot send as they are.
 */
import { concatBytes } from '../bytes.js';
import { crc32 } from '../models/zip.js';
import { PNG_SIGNATURE } from './formats/png.js';
import type { PixelImage } from '../pipeline/preprocess.js';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

/** `pixels` (3 or 4 channels) as PNG bytes: 8-bit RGB, no filter. */
export async function encodeRgbPng(pixels: PixelImage): Promise<Uint8Array<ArrayBuffer>> {
  const { width, height, data, channels } = pixels;
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace
  // Rows (a filter byte, then RGB) streamed into the compressor, about 64 KiB at a time.
  const stride = 1 + width * 3;
  const rowsPerChunk = Math.max(1, Math.floor(65536 / stride));
  let y = 0;
  const rows = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (y === height) return controller.close();
      const n = Math.min(rowsPerChunk, height - y);
      const out = new Uint8Array(n * stride);
      for (let r = 0; r < n; r++, y++) {
        for (let x = 0, i = y * width * channels, o = r * stride + 1; x < width; x++, i += channels, o += 3) {
          out[o] = data[i]!;
          out[o + 1] = data[i + 1]!;
          out[o + 2] = data[i + 2]!;
        }
      }
      controller.enqueue(out);
    },
  });
  const idat = new Uint8Array(await new Response(rows.pipeThrough(new CompressionStream('deflate') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>)).arrayBuffer());
  const png = concatBytes([Uint8Array.from(PNG_SIGNATURE), chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
  return png as Uint8Array<ArrayBuffer>;
}
