/**
 * A GIF's first frame as Pillow 10.3 reads it and `convert("RGB")` turns it into RGB: palette
 * colours, with the transparent index shown as its palette colour (not composited, not black); the
 * canvas is the logical screen, grown to hold the frame, and filled with the transparent index (or
 * index 0) where the frame does not cover it; LZW data that ends early leaves the rest of the frame
 * as filled (and, as in Pillow, only whole data sub-blocks are decoded). Pure.
 */
import { fillIndex, ImageFormatError, need, palette, putIndex, rgbImage, u16le, type Rgb } from './raster.js';
import { concatBytes } from '../../bytes.js';

export function decodeGif(b: Uint8Array): Rgb {
  const sig = String.fromCharCode(...need(b, 0, 6, 'GIF header'));
  if (sig !== 'GIF87a' && sig !== 'GIF89a') throw new ImageFormatError('not a GIF file');
  need(b, 6, 7, 'GIF screen descriptor');
  let width = u16le(b, 6);
  let height = u16le(b, 8);
  const flags = b[10]!;
  let at = 13;
  let globalPalette: Uint8Array | undefined;
  if (flags & 0x80) {
    const size = 3 << ((flags & 7) + 1);
    globalPalette = palette(need(b, at, size, 'GIF palette'), size / 3, 3, 'rgb');
    at += size;
  }
  let transparency: number | undefined;
  while (at < b.length) {
    const block = b[at]!;
    if (block === 0x21) {
      // Extension: a graphic control extension carries the transparent index.
      const label = b[at + 1];
      at += 2;
      let first = true;
      while (at < b.length && b[at]! !== 0) {
        const size = b[at]!;
        if (label === 0xf9 && first && size >= 4 && at + 4 < b.length && b[at + 1]! & 1) transparency = b[at + 4]!;
        first = false;
        at += 1 + size;
      }
      at++;
    } else if (block === 0x2c) {
      const d = need(b, at + 1, 9, 'GIF image descriptor');
      const [x0, y0, w, h, f] = [u16le(d, 0), u16le(d, 2), u16le(d, 4), u16le(d, 6), d[8]!];
      at += 10;
      let framePalette = globalPalette;
      if (f & 0x80) {
        const size = 3 << ((f & 7) + 1);
        framePalette = palette(need(b, at, size, 'GIF local palette'), size / 3, 3, 'rgb');
        at += size;
      }
      // Pillow grows the first frame's canvas to hold a frame that reaches past the screen.
      width = Math.max(width, x0 + w);
      height = Math.max(height, y0 + h);
      const img = rgbImage(width, height);
      const pal = framePalette ?? palette(new Uint8Array(0), 0, 3, 'rgb');
      fillIndex(img, pal, transparency ?? 0);
      const minCodeSize = b[at++]!;
      // Pillow's decoder takes only whole data sub-blocks: a truncated last one decodes nothing.
      const blocks: Uint8Array[] = [];
      while (at < b.length && b[at]! !== 0 && at + 1 + b[at]! <= b.length) {
        blocks.push(b.subarray(at + 1, at + 1 + b[at]!));
        at += 1 + b[at]!;
      }
      const indices = lzw(concatBytes(blocks), minCodeSize, w * h);
      const rows = (f & 0x40) !== 0 ? interlacedRows(h) : undefined;
      for (let i = 0; i < indices.length; i++) {
        const r = Math.floor(i / w);
        const y = y0 + (rows ? rows[r]! : r);
        putIndex(img, y * width + x0 + (i % w), pal, indices[i]!);
      }
      return img;
    } else if (block === 0x3b) {
      break;
    } else {
      throw new ImageFormatError(`GIF: unexpected block 0x${block.toString(16)}`);
    }
  }
  throw new ImageFormatError('GIF: no image in the file');
}

/** The frame row that each stored row of an interlaced GIF lands on. */
function interlacedRows(h: number): number[] {
  const rows: number[] = [];
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) for (let y = start; y < h; y += step) rows.push(y);
  return rows;
}

/** GIF's variable-length LZW; stops at the end code, at bad data, or after `limit` indices. */
function lzw(data: Uint8Array, minCodeSize: number, limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  if (minCodeSize < 1 || minCodeSize > 11) return out.subarray(0, 0);
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < clear; i++) {
    suffix[i] = i;
    length[i] = 1;
  }
  let size = minCodeSize + 1;
  let next = end + 1;
  let prev = -1;
  let n = 0;
  let bits = 0;
  let acc = 0;
  let pos = 0;
  const emit = (code: number): number => {
    // Writes the string of `code` at n; returns its first index.
    const len = length[code]!;
    let c = code;
    for (let i = len - 1; i >= 0; i--) {
      if (n + i < limit) out[n + i] = suffix[c]!;
      c = prefix[c]!;
    }
    n += len;
    return out[Math.min(n - len, limit - 1)]!;
  };
  while (n < limit) {
    while (bits < size) {
      if (pos >= data.length) return out.subarray(0, Math.min(n, limit));
      acc |= data[pos++]! << bits;
      bits += 8;
    }
    const code = acc & ((1 << size) - 1);
    acc >>>= size;
    bits -= size;
    if (code === clear) {
      size = minCodeSize + 1;
      next = end + 1;
      prev = -1;
      continue;
    }
    if (code === end) break;
    if (prev === -1) {
      if (code >= clear) break;
      emit(code);
      prev = code;
      continue;
    }
    let first: number;
    if (code < next) {
      first = emit(code);
    } else if (code === next) {
      // The KwKwK case: the previous string plus its own first index.
      const start = n;
      emit(prev);
      first = out[Math.min(start, limit - 1)]!;
      if (n < limit) out[n] = first;
      n++;
    } else {
      break;
    }
    if (next < 4096) {
      prefix[next] = prev;
      suffix[next] = first;
      length[next] = length[prev]! + 1;
      next++;
      if (next === 1 << size && size < 12) size++;
    }
    prev = code;
  }
  return out.subarray(0, Math.min(n, limit));
}
