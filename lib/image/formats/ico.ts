/**
 * ICO as Pillow 10.3 reads it: the largest entry (among equal sizes, the lowest colour depth, from
 * 10.3's stable `sorted(..., reverse=True)`), decoded from its PNG or DIB data; `convert("RGB")` drops
 * the alpha (or AND mask). Pure.
 */
import type { Inflate } from './png.js';
import { decodePng, PNG_SIGNATURE } from './png.js';
import { decodeDib } from './bmp.js';
import { ImageFormatError, need, u16le, u32le, type Rgb } from './raster.js';

interface Entry {
  square: number;
  depth: number;
  offset: number;
}

export async function decodeIco(b: Uint8Array, inflate: Inflate): Promise<Rgb> {
  need(b, 0, 6, 'ICO header');
  if (u32le(b, 0) !== 0x00010000) throw new ImageFormatError('not an ICO file');
  const count = u16le(b, 4);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const e = need(b, 6 + i * 16, 16, 'ICO directory');
    const width = e[0]! || 256;
    const height = e[1]! || 256;
    const colors = e[2]!;
    const bpp = u16le(e, 6);
    const depth = bpp || (colors !== 0 && Math.ceil(Math.log2(colors))) || 256;
    entries.push({ square: width * height, depth, offset: u32le(e, 12) });
  }
  if (entries.length === 0) throw new ImageFormatError('ICO: no images');
  // Pillow: sorted by colour depth, then (stably) by size, largest first.
  entries.sort((a, c) => a.depth - c.depth);
  entries.sort((a, c) => c.square - a.square);
  const { offset } = entries[0]!;
  need(b, offset, 8, 'ICO image');
  if (PNG_SIGNATURE.every((v, i) => b[offset + i] === v)) return decodePng(b.subarray(offset), inflate);
  return decodeDib(b, offset, 0, true);
}
