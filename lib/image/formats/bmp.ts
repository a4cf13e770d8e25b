/**
 * BMP, and the DIB entries of ICO files, as Pillow 10.3 reads them and `convert("RGB")` turns them
 * into RGB: 1/4/8-bit palettes, 16-bit 5-5-5 and 5-6-5 (Pillow's integer channel scaling), 24-bit,
 * 32-bit with alpha dropped, the bitfield layouts Pillow supports, RLE8 and RLE4; bottom-up or
 * top-down rows; rows missing from a short file left black (palette entry 0). Pure.
 */
import { ImageFormatError, fillIndex, need, palette, putIndex, rgbImage, scale5, scale6, u16le, u32le, type Rgb } from './raster.js';

/** Pillow's supported BI_BITFIELDS masks (r, g, b[, a]) and the byte each channel sits in. */
const MASKS_32 = ['ff0000,ff00,ff,0', 'ff000000,ff0000,ff00,0', 'ff000000,ff0000,ff00,ff', 'ff,ff00,ff0000,ff000000', 'ff0000,ff00,ff,ff000000', '0,0,0,0'];

interface Layout {
  width: number;
  height: number;
  topDown: boolean;
  bits: number;
  compression: number;
  pal?: Uint8Array;
  /** 32-bit: the byte of R, G and B in each pixel; 16-bit: 5-6-5 or 5-5-5. */
  bytes?: [number, number, number];
  six?: boolean;
  /** Where the pixel data starts. */
  data: number;
}

/** A BMP file: the 14-byte file header, then a DIB. */
export function decodeBmp(b: Uint8Array): Rgb {
  need(b, 0, 14, 'BMP file header');
  if (b[0] !== 0x42 || b[1] !== 0x4d) throw new ImageFormatError('not a BMP file');
  return decodeDib(b, 14, u32le(b, 10));
}

/**
 * The DIB at `at` (a BITMAPINFOHEADER or one of its kin). `dataOffset` is where the file header says
 * the pixels are (0 for an ICO entry: right after the palette). `icon` halves the height: an ICO
 * entry stores its colour rows and then its AND mask.
 */
export function decodeDib(b: Uint8Array, at: number, dataOffset: number, icon = false): Rgb {
  const layout = readLayout(b, at, dataOffset);
  if (icon) layout.height = Math.floor(layout.height / 2);
  const { width, height, bits, compression } = layout;
  const img = rgbImage(width, height);
  if (layout.pal) fillIndex(img, layout.pal, 0);
  if (compression === 1 || compression === 2) {
    rle(b, layout, img, compression === 2);
    return img;
  }
  const stride = (((width * bits + 31) >> 3) & ~3) >>> 0;
  for (let r = 0; r < height; r++) {
    const start = layout.data + r * stride;
    if (start + Math.ceil((width * bits) / 8) > b.length) break;
    const y = layout.topDown ? r : height - 1 - r;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const o = p * 3;
      if (bits <= 8) {
        const bit = x * bits;
        const v = (b[start + (bit >> 3)]! >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
        putIndex(img, p, layout.pal!, v);
      } else if (bits === 16) {
        const v = u16le(b, start + x * 2);
        img.data[o] = layout.six ? scale5((v >> 11) & 31) : scale5((v >> 10) & 31);
        img.data[o + 1] = layout.six ? scale6((v >> 5) & 63) : scale5((v >> 5) & 31);
        img.data[o + 2] = scale5(v & 31);
      } else {
        const px = start + x * (bits >> 3);
        const [ri, gi, bi] = layout.bytes ?? [2, 1, 0];
        img.data[o] = b[px + ri]!;
        img.data[o + 1] = b[px + gi]!;
        img.data[o + 2] = b[px + bi]!;
      }
    }
  }
  return img;
}

function readLayout(b: Uint8Array, at: number, dataOffset: number): Layout {
  const size = u32le(need(b, at, 4, 'BMP header'), 0);
  const h = need(b, at + 4, size - 4, 'BMP header');
  let layout: Layout;
  let entry: 3 | 4;
  let colors = 0;
  if (size === 12) {
    layout = { width: u16le(h, 0), height: u16le(h, 2), topDown: false, bits: u16le(h, 6), compression: 0, data: 0 };
    entry = 3;
  } else if (size === 40 || size === 64 || size === 108 || size === 124) {
    const topDown = h[7] === 0xff;
    const rawHeight = u32le(h, 4);
    layout = { width: u32le(h, 0), height: topDown ? 2 ** 32 - rawHeight : rawHeight, topDown, bits: u16le(h, 10), compression: u32le(h, 12), data: 0 };
    colors = u32le(h, 28);
    entry = 4;
  } else {
    throw new ImageFormatError(`Unsupported BMP header type (${size})`);
  }
  let end = at + size;
  const { bits, compression } = layout;
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw new ImageFormatError(`Unsupported BMP pixel depth (${bits})`);
  if (compression === 3) {
    let masks: number[];
    if (size >= 52) masks = [0, 1, 2, 3].map((i) => u32le(h, 36 + i * 4));
    else {
      masks = [0, 1, 2].map((i) => u32le(need(b, end + i * 4, 4, 'BMP bitfields'), 0)).concat(0);
      end += 12;
    }
    const hex = masks.map((m) => m.toString(16));
    if (bits === 32 && MASKS_32.includes(hex.join(','))) {
      // The byte holding each channel (little-endian pixel): mask 0xff is byte 0, 0xff000000 byte 3.
      const byteOf = (m: number) => [0xff, 0xff00, 0xff0000, 0xff000000].indexOf(m);
      layout.bytes = masks[0] === 0 ? [2, 1, 0] : [byteOf(masks[0]!), byteOf(masks[1]!), byteOf(masks[2]!)];
    } else if (bits === 24 && hex.slice(0, 3).join(',') === 'ff0000,ff00,ff') {
      layout.bytes = [2, 1, 0];
    } else if (bits === 16 && ['f800,7e0,1f', '7c00,3e0,1f'].includes(hex.slice(0, 3).join(','))) {
      layout.six = masks[0] === 0xf800;
    } else {
      throw new ImageFormatError('Unsupported BMP bitfields layout');
    }
  } else if (compression !== 0 && compression !== 1 && compression !== 2) {
    throw new ImageFormatError(`Unsupported BMP compression (${compression})`);
  }
  colors = colors || 2 ** bits;
  if (bits <= 8) {
    if (!(colors > 0 && colors <= 65536)) throw new ImageFormatError(`Unsupported BMP Palette size (${colors})`);
    const bytes = b.subarray(end, Math.min(b.length, end + entry * colors));
    layout.pal = palette(bytes, colors, entry, 'bgr');
    end += entry * colors;
  }
  // Pillow's quirk: a data offset that points right after the header skips a 4-byte-per-entry palette.
  let data = dataOffset;
  if (dataOffset === 14 + size && bits <= 8) data += 4 * colors;
  layout.data = data || end;
  return layout;
}

/** Pillow's BmpRleDecoder: RLE8 and RLE4 runs, escapes for end of line, end of bitmap and delta. */
function rle(b: Uint8Array, layout: Layout, img: Rgb, rle4: boolean): void {
  const { width, height } = layout;
  // Pillow collects rows bottom-up (or top-down) into a buffer of indices, then unpacks it.
  const indices = new Uint8Array(width * height);
  let n = 0;
  let x = 0;
  let at = layout.data;
  const total = width * height;
  const put = (v: number) => {
    if (n < total) indices[n] = v;
    n++;
  };
  while (n < total) {
    if (at + 2 > b.length) break;
    let count = b[at]!;
    const byte = b[at + 1]!;
    at += 2;
    if (count) {
      if (x + count > width) count = Math.max(0, width - x);
      for (let i = 0; i < count; i++) put(rle4 ? (i % 2 === 0 ? byte >> 4 : byte & 15) : byte);
      x += count;
    } else if (byte === 0) {
      // End of line: pad the row.
      while (n % width !== 0) put(0);
      x = 0;
    } else if (byte === 1) {
      break;
    } else if (byte === 2) {
      // Delta. Pillow reads two bytes, then reads the offsets from the two after them.
      if (at + 4 > b.length) break;
      const right = b[at + 2]!;
      const up = b[at + 3]!;
      at += 4;
      const skip = right + up * width;
      for (let i = 0; i < skip; i++) put(0);
      x = n % width;
    } else {
      // Absolute mode: literal pixels (RLE4: byte / 2 bytes, two pixels each), then 16-bit alignment.
      const bytesRead = rle4 ? byte >> 1 : byte;
      const data = b.subarray(at, Math.min(b.length, at + bytesRead));
      at += data.length;
      for (const v of data) {
        if (rle4) {
          put(v >> 4);
          put(v & 15);
        } else put(v);
      }
      if (data.length < bytesRead) break;
      x += byte;
      if (at % 2 === 1) at++;
    }
  }
  // Pillow's set_as_raw refuses a bitmap whose runs end before its pixels do.
  if (n < total) throw new ImageFormatError('not enough image data', 'ValueError');
  const filled = total;
  for (let i = 0; i < filled; i++) {
    const r = Math.floor(i / width);
    const y = layout.topDown ? r : height - 1 - r;
    putIndex(img, y * width + (i % width), layout.pal!, indices[i]!);
  }
}
