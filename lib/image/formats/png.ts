/**
 * PNG as Pillow 10.3 reads it and `convert("RGB")` turns it into RGB: no colour management (iCCP,
 * gAMA, cHRM are ignored), alpha dropped rather than composited, 16-bit grey clipped at 255 (Pillow's
 * `I;16` → RGB), other 16-bit samples cut to their high byte, and a truncated file decoded as far as
 * its data goes (`LOAD_TRUNCATED_IMAGES`), the rest left black (palette entry 0 for palette images).
 * Pure; the zlib inflater is the platform's.
 */
import { crc32 } from '../../models/zip.js';
import { fillIndex, ImageFormatError, need, palette, putIndex, rgbImage, u32be, type Rgb } from './raster.js';
import { concatBytes } from '../../bytes.js';

/**
 * Inflates a zlib stream, returning every byte that the data decodes to (up to `limit` bytes: a
 * decoder never needs more than the image's rows), also when the stream is truncated or corrupt
 * part-way (Pillow keeps the rows decoded before the damage).
 */
export type Inflate = (zlib: Uint8Array, limit: number) => Promise<Uint8Array>;

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Adam7: x0, y0, dx, dy of each pass. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

const text = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

export async function decodePng(b: Uint8Array, inflate: Inflate): Promise<Rgb> {
  if (!PNG_SIGNATURE.every((v, i) => b[i] === v)) throw new ImageFormatError('not a PNG file');
  let header: { width: number; height: number; depth: number; type: number; interlace: boolean } | undefined;
  let pal: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let at = 8;
  // Chunks up to the image data, as Pillow's _open reads them; then the run of IDAT chunks.
  while (at + 8 <= b.length) {
    const length = u32be(b, at);
    const type = text(b, at + 4);
    const data = b.subarray(at + 8, Math.min(b.length, at + 8 + length));
    if (type === 'IDAT') {
      if (!header) throw new ImageFormatError('PNG: IDAT before IHDR');
      idat.push(data);
    } else {
      if (idat.length) break;
      const critical = (b[at + 4]! & 0x20) === 0;
      // Pillow checks the CRC of every critical chunk it reads before the image data.
      if (critical && (data.length < length || at + 12 + length > b.length || crc32(b.subarray(at + 4, at + 8 + length)) !== u32be(b, at + 8 + length))) {
        throw new ImageFormatError(`PNG: broken ${type} chunk`);
      }
      if (type === 'IHDR') {
        const h = need(data, 0, 13, 'PNG IHDR');
        header = { width: u32be(h, 0), height: u32be(h, 4), depth: h[8]!, type: h[9]!, interlace: h[12]! !== 0 };
        if (!DEPTHS[header.type]?.includes(header.depth)) throw new ImageFormatError(`PNG: unknown mode (bit depth ${header.depth}, colour type ${header.type})`);
        if (h[11]) throw new ImageFormatError('PNG: unknown filter category');
      } else if (type === 'PLTE') {
        pal = palette(data, Math.floor(data.length / 3), 3, 'rgb');
      } else if (type === 'IEND') {
        break;
      }
    }
    at += 12 + length;
  }
  if (!header || idat.length === 0) throw new ImageFormatError('PNG: no image data');
  const { width, height, depth, type } = header;
  const img = rgbImage(width, height);
  const lookup = type === 3 ? (pal ?? palette(new Uint8Array(0), 0, 3, 'rgb')) : undefined;
  if (lookup) {
    // Pillow's image memory is zeros: index 0 wherever no row arrives.
    fillIndex(img, lookup, 0);
  }
  const zlib = concatBytes(idat);
  const bitsPerPixel = CHANNELS[type]! * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const passes = header.interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let expected = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw > 0 && ph > 0) expected += ph * (1 + Math.ceil((pw * bitsPerPixel) / 8));
  }
  const raw = await inflate(zlib, expected);
  let pos = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rowBytes = Math.ceil((pw * bitsPerPixel) / 8);
    // Rows are unfiltered in place; each one's predecessor is the row before it in `raw`.
    let prev: Uint8Array = new Uint8Array(rowBytes);
    for (let r = 0; r < ph; r++) {
      if (pos + 1 + rowBytes > raw.length) return img;
      const filter = raw[pos]!;
      const row = raw.subarray(pos + 1, pos + 1 + rowBytes);
      pos += 1 + rowBytes;
      if (!unfilter(filter, row, prev, bpp)) return img;
      writeRow(img, row, y0 + r * dy, x0, dx, pw, type, depth, lookup);
      prev = row;
    }
  }
  return img;
}

/** Undoes one row's filter in place; false for an unknown filter type (Pillow stops there). */
function unfilter(filter: number, row: Uint8Array, prev: Uint8Array, bpp: number): boolean {
  const n = row.length;
  switch (filter) {
    case 0:
      return true;
    case 1:
      for (let i = bpp; i < n; i++) row[i] = (row[i]! + row[i - bpp]!) & 0xff;
      return true;
    case 2:
      for (let i = 0; i < n; i++) row[i] = (row[i]! + prev[i]!) & 0xff;
      return true;
    case 3:
      for (let i = 0; i < bpp && i < n; i++) row[i] = (row[i]! + (prev[i]! >> 1)) & 0xff;
      for (let i = bpp; i < n; i++) row[i] = (row[i]! + ((row[i - bpp]! + prev[i]!) >> 1)) & 0xff;
      return true;
    case 4:
      // Paeth; on the first pixel a = c = 0, so the predictor is b.
      for (let i = 0; i < bpp && i < n; i++) row[i] = (row[i]! + prev[i]!) & 0xff;
      for (let i = bpp; i < n; i++) {
        const a = row[i - bpp]!;
        const b = prev[i]!;
        const c = prev[i - bpp]!;
        let pa = b - c;
        let pb = a - c;
        let pc = pa + pb;
        if (pa < 0) pa = -pa;
        if (pb < 0) pb = -pb;
        if (pc < 0) pc = -pc;
        row[i] = (row[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      return true;
    default:
      return false;
  }
}

/** One unfiltered row (or pass row) into RGB, as Pillow's rawmode unpacker and convert("RGB") do. */
function writeRow(img: Rgb, row: Uint8Array, y: number, x0: number, dx: number, count: number, type: number, depth: number, lookup?: Uint8Array): void {
  const out = img.data;
  if (depth === 8 && dx === 1 && (type === 2 || type === 6)) {
    // The common case, in one tight loop: 8-bit RGB or RGBA, not interlaced.
    const step = type === 2 ? 3 : 4;
    let o = (y * img.width + x0) * 3;
    for (let at = 0; at < count * step; at += step, o += 3) {
      out[o] = row[at]!;
      out[o + 1] = row[at + 1]!;
      out[o + 2] = row[at + 2]!;
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const o = (y * img.width + x0 + i * dx) * 3;
    if (depth < 8) {
      const perByte = 8 / depth;
      const v = (row[Math.floor(i / perByte)]! >> (8 - depth * ((i % perByte) + 1))) & ((1 << depth) - 1);
      if (lookup) {
        putIndex(img, o / 3, lookup, v);
        continue;
      }
      const grey = depth === 1 ? v * 255 : depth === 2 ? v * 85 : v * 17;
      out[o] = out[o + 1] = out[o + 2] = grey;
      continue;
    }
    const s = depth >> 3;
    const at = i * CHANNELS[type]! * s;
    if (type === 3) putIndex(img, o / 3, lookup!, row[at]!);
    else if (type === 0 || type === 4) {
      // 16-bit grey is Pillow's I;16, whose RGB conversion clips at 255; LA;16B keeps the high byte.
      const grey = depth === 16 && type === 0 ? (row[at]! ? 255 : row[at + 1]!) : row[at]!;
      out[o] = out[o + 1] = out[o + 2] = grey;
    } else {
      out[o] = row[at]!;
      out[o + 1] = row[at + s]!;
      out[o + 2] = row[at + 2 * s]!;
    }
  }
}
