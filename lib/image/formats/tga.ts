/**
 * TGA as Pillow 10.3 reads it and `convert("RGB")` turns it into RGB: colour-mapped, true-colour
 * and grey, raw or RLE, any origin; a depth/type pair Pillow has no unpacker for gives Pillow's
 * all-black image; a short file leaves the rest black (palette entry 0). TGA has no signature:
 * Pillow accepts any bytes whose 18-byte header passes its checks, and so does this. Pure.
 */
import { fillIndex, ImageFormatError, need, palette, putIndex, rgbImage, scale5, u16le, type Rgb } from './raster.js';

/** Whether Pillow's TGA plugin would accept this header. */
export function isTga(b: Uint8Array): boolean {
  if (b.length < 18) return false;
  const [mapType, type, depth] = [b[1]!, b[2]!, b[16]!];
  return (mapType === 0 || mapType === 1) && u16le(b, 12) > 0 && u16le(b, 14) > 0 && [1, 8, 16, 24, 32].includes(depth) && [1, 2, 3, 9, 10, 11].includes(type);
}

/** The size a TGA header declares, if Pillow would take the bytes for a TGA. */
export function tgaSize(b: Uint8Array): { width: number; height: number } | undefined {
  return isTga(b) ? { width: u16le(b, 12), height: u16le(b, 14) } : undefined;
}

export function decodeTga(b: Uint8Array): Rgb {
  if (!isTga(b)) throw new ImageFormatError('not a TGA file');
  const [idLength, mapType, type] = [b[0]!, b[1]!, b[2]!];
  const width = u16le(b, 12);
  const height = u16le(b, 14);
  const depth = b[16]!;
  const flags = b[17]!;
  const topDown = (flags & 0x20) !== 0;
  const flipX = (flags & 0x10) !== 0;
  let at = 18 + idLength;
  const img = rgbImage(width, height);
  let pal: Uint8Array | undefined;
  if (mapType) {
    const [first, count, mapDepth] = [u16le(b, 3), u16le(b, 5), b[7]!];
    const entry = mapDepth === 16 ? 2 : mapDepth === 24 ? 3 : mapDepth === 32 ? 4 : 0;
    if (!entry) throw new ImageFormatError('unknown TGA map depth');
    const bytes = b.subarray(at, Math.min(b.length, at + entry * count));
    at += entry * count;
    // Pillow prepends `first` empty entries: zeros (black), not the grey ramp.
    let entries = bytes;
    let stride: 3 | 4 = entry === 4 ? 4 : 3;
    if (entry === 2) {
      // BGR;15 entries, expanded to 3 bytes (stored as BGR like the others).
      entries = new Uint8Array(Math.floor(bytes.length / 2) * 3);
      for (let i = 0; i + 1 < bytes.length; i += 2) {
        const v = u16le(bytes, i);
        entries.set([scale5(v & 31), scale5((v >> 5) & 31), scale5((v >> 10) & 31)], (i / 2) * 3);
      }
      stride = 3;
    }
    const padded = new Uint8Array(first * stride + entries.length);
    padded.set(entries, first * stride);
    pal = palette(padded, first + Math.floor(entries.length / stride), stride, 'bgr');
  }
  const kind = type & 7;
  const key = `${kind},${depth}`;
  // Pillow's (type, depth) → rawmode table; any other pair has no tile, so the image stays black.
  const supported = ['1,8', '3,1', '3,8', '3,16', '2,16', '2,24', '2,32'].includes(key);
  const indexed = kind === 1 && mapType === 1;
  if (indexed && pal) fillIndex(img, pal, 0);
  if (!supported) return img;
  const pixelBytes = Math.max(1, depth >> 3);
  const total = width * height;
  const pixels = new Uint8Array(total * pixelBytes);
  let filled = 0;
  if (type & 8) {
    // RLE packets: a run of one pixel repeated, or raw pixels.
    let n = 0;
    while (n < total * pixelBytes && at < b.length) {
      const header = b[at++]!;
      const count = (header & 0x7f) + 1;
      if (header & 0x80) {
        if (at + pixelBytes > b.length) break;
        const px = b.subarray(at, at + pixelBytes);
        at += pixelBytes;
        for (let i = 0; i < count && n < pixels.length; i++, n += pixelBytes) pixels.set(px, n);
      } else {
        const len = count * pixelBytes;
        const raw = b.subarray(at, Math.min(b.length, at + len));
        pixels.set(raw.subarray(0, Math.min(raw.length, pixels.length - n)), n);
        at += raw.length;
        n += raw.length;
        if (raw.length < len) break;
      }
    }
    filled = Math.floor(Math.min(n, pixels.length) / pixelBytes);
  } else if (depth === 1) {
    const rowBytes = Math.ceil(width / 8);
    for (let y = 0; y < height && at + rowBytes <= b.length; y++, at += rowBytes) {
      for (let x = 0; x < width; x++) pixels[y * width + x] = (b[at + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
    }
    filled = total;
  } else {
    // Raw rows: only whole rows are unpacked.
    const rows = Math.min(height, Math.floor((b.length - at) / (width * pixelBytes)));
    pixels.set(b.subarray(at, at + rows * width * pixelBytes));
    filled = rows * width;
  }
  for (let i = 0; i < filled; i++) {
    const r = Math.floor(i / width);
    const y = topDown ? r : height - 1 - r;
    const x = flipX ? width - 1 - (i % width) : i % width;
    const p = y * width + x;
    const o = p * 3;
    const s = i * pixelBytes;
    if (kind === 1) {
      if (indexed) putIndex(img, p, pal!, pixels[s]!);
      else img.data[o] = img.data[o + 1] = img.data[o + 2] = pixels[s]!;
    } else if (kind === 3) {
      img.data[o] = img.data[o + 1] = img.data[o + 2] = pixels[s]!;
    } else if (depth === 16) {
      const v = u16le(pixels, s);
      img.data[o] = scale5((v >> 10) & 31);
      img.data[o + 1] = scale5((v >> 5) & 31);
      img.data[o + 2] = scale5(v & 31);
    } else {
      img.data[o] = pixels[s + 2]!;
      img.data[o + 1] = pixels[s + 1]!;
      img.data[o + 2] = pixels[s]!;
    }
  }
  return img;
}
