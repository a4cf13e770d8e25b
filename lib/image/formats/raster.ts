/**
 * What every pure decoder here shares: the RGB image they produce (Pillow's `convert("RGB")` of the
 * decoded mode), and Pillow's palettes. Pure; no I/O.
 */
import type { PixelImage } from '../../pipeline/preprocess.js';
import { MAX_IMAGE_PIXELS } from '../limits.js';

/** An RGB image being filled; rows a decoder never reaches stay as Pillow leaves them (zeros). */
export interface Rgb extends PixelImage {
  readonly data: Uint8Array;
  readonly channels: 3;
}

/**
 * The error a decoder throws where Pillow raises: for bytes it cannot identify (`UnidentifiedImageError`,
 * row 6's 500), or a `ValueError` while opening or decoding (a bad PPM token, an RLE bitmap that ends
 * early), which the runner's route maps to 400 with its default message.
 */
export class ImageFormatError extends Error {
  override readonly name = 'ImageFormatError';
  constructor(
    message: string,
    readonly python: 'UnidentifiedImageError' | 'ValueError' = 'UnidentifiedImageError',
  ) {
    super(message);
  }
}

export function rgbImage(width: number, height: number): Rgb {
  if (!(width > 0 && height > 0)) throw new ImageFormatError(`image size ${width}×${height} is empty`);
  // Pillow's decompression-bomb check, before any pixel memory is taken.
  if (width * height > MAX_IMAGE_PIXELS) throw new ImageFormatError(`image of ${width}×${height} pixels exceeds the ${MAX_IMAGE_PIXELS}-pixel limit`);
  return { data: new Uint8Array(width * height * 3), width, height, channels: 3 };
}

/**
 * A 256-entry RGB palette as Pillow holds one: entries the file does not define keep Pillow's
 * initial grey ramp (i, i, i), so an index past the file's palette maps to grey `i`, as in Pillow.
 * `stride` is the bytes per entry in the file (3 or 4); `order` `'bgr'` for BMP, TGA and ICO.
 */
export function palette(bytes: Uint8Array, count: number, stride: 3 | 4, order: 'rgb' | 'bgr', first = 0): Uint8Array {
  const out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) out.fill(i, i * 3, i * 3 + 3);
  const n = Math.min(count, 256 - first, Math.floor(bytes.length / stride));
  for (let i = 0; i < n; i++) {
    const at = i * stride;
    const o = (first + i) * 3;
    out[o] = bytes[at + (order === 'rgb' ? 0 : 2)]!;
    out[o + 1] = bytes[at + 1]!;
    out[o + 2] = bytes[at + (order === 'rgb' ? 2 : 0)]!;
  }
  return out;
}

/** Writes palette entry `index` at pixel `p` of `img`. */
export function putIndex(img: Rgb, p: number, pal: Uint8Array, index: number): void {
  const o = p * 3;
  const s = index * 3;
  img.data[o] = pal[s]!;
  img.data[o + 1] = pal[s + 1]!;
  img.data[o + 2] = pal[s + 2]!;
}

/** Fills every pixel with palette entry `index` (a palette image's zero-initialised memory). */
export function fillIndex(img: Rgb, pal: Uint8Array, index: number): void {
  const [r, g, b] = [pal[index * 3]!, pal[index * 3 + 1]!, pal[index * 3 + 2]!];
  if (r === 0 && g === 0 && b === 0) return;
  for (let o = 0; o < img.data.length; o += 3) {
    img.data[o] = r;
    img.data[o + 1] = g;
    img.data[o + 2] = b;
  }
}

/** Pillow's 5-bit and 6-bit channel expansion (Unpack.c): `v * 255 / 31` in integer arithmetic. */
export const scale5 = (v: number) => Math.floor((v * 255) / 31);
export const scale6 = (v: number) => Math.floor((v * 255) / 63);

export const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
export const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
export const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Bytes `at..at+n` of `b`, or throws when the file ends first (a header Pillow cannot read). */
export function need(b: Uint8Array, at: number, n: number, what: string): Uint8Array {
  if (at < 0 || at + n > b.length) throw new ImageFormatError(`${what}: the file ends at byte ${b.length}, before byte ${at + n}`);
  return b.subarray(at, at + n);
}
