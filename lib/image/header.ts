/**
 * Image dimensions read from the header alone (PNG, GIF, JPEG, WebP, BMP, PBM/PGM/PPM, TGA), so that
 * a decompression bomb is refused before any decoder allocates its pixels. (ICO entries are at most
 * 256×256; a PNG inside one is checked by the PNG decoder, like every pure decoder, before it
 * allocates.) Pure; no I/O.
 */
import { netpbmSize } from './formats/netpbm.js';
import { tgaSize } from './formats/tga.js';


/** Width and height declared by the header, or undefined when the format is not recognised. */
export function headerSize(b: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ascii = (at: number, text: string) => at + text.length <= b.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0));
  // PNG: signature, then the IHDR chunk (big-endian width and height).
  if (b.length >= 24 && ascii(1, 'PNG') && ascii(12, 'IHDR')) return { width: view.getUint32(16), height: view.getUint32(20) };
  // GIF: logical screen size (little-endian).
  if (b.length >= 10 && (ascii(0, 'GIF87a') || ascii(0, 'GIF89a'))) return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  // BMP: BITMAPINFOHEADER width and height (height negative for top-down rows).
  if (b.length >= 26 && ascii(0, 'BM')) return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  // WebP: RIFF container with a VP8, VP8L or VP8X first chunk.
  if (b.length >= 30 && ascii(0, 'RIFF') && ascii(8, 'WEBP')) {
    if (ascii(12, 'VP8X')) return { width: 1 + (view.getUint32(24, true) & 0xffffff), height: 1 + (view.getUint32(27, true) & 0xffffff) };
    if (ascii(12, 'VP8L')) {
      const bits = view.getUint32(21, true);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    if (ascii(12, 'VP8 ')) return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
    return undefined;
  }
  // JPEG: walk the markers to the first start-of-frame.
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let at = 2;
    while (at + 9 <= b.length) {
      if (b[at] !== 0xff) return undefined;
      const marker = b[at + 1]!;
      if (marker === 0xff) {
        at++;
        continue;
      }
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
        at += 2;
        continue;
      }
      at += 2 + view.getUint16(at + 2);
    }
    return undefined;
  }
  if (b.length >= 2 && b[0] === 0x50) return netpbmSize(b);
  return tgaSize(b);
}
