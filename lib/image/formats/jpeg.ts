/**
 * What a JPEG needs besides the platform's decoder to give Pillow's pixels: the frame's component
 * count (4 is CMYK), Pillow's arithmetic CMYK → RGB, and, for browsers, the bytes with the EXIF
 * orientation set to 1 (Pillow ignores it; Chromium's createImageBitmap applies it whatever
 * `imageOrientation` says) and an end-of-image marker after a truncated stream (Pillow decodes
 * what is there; Chromium refuses a stream without one). Pure.
 */
import { u16le } from './raster.js';

const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;

/** Calls `visit(marker, segmentStart, segmentLength)` for each marker segment up to the first scan. */
function segments(b: Uint8Array, visit: (marker: number, at: number, length: number) => boolean | void): void {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = u16be(b, at + 2);
    if (visit(marker, at + 4, length - 2) === false || marker === 0xda) return;
    at += 2 + length;
  }
}

/** The number of colour components in the first frame header (1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK). */
export function jpegComponents(b: Uint8Array): number | undefined {
  let components: number | undefined;
  segments(b, (marker, at) => {
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      components = b[at + 5];
      return false;
    }
  });
  return components;
}

/**
 * Pillow's `CMYK` → `RGB` (Convert.c `cmyk2rgb`) over CMYK samples as Pillow holds them (it reads
 * every CMYK JPEG as Adobe-inverted, `CMYK;I`): R = 255 − K − C·(255 − K)/255, rounded as MULDIV255.
 */
export function cmykToRgb(cmyk: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  const muldiv255 = (a: number, b: number) => {
    const t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  };
  for (let p = 0; p < pixels; p++) {
    const i = p * 4;
    const nk = 255 - cmyk[i + 3]!;
    out[p * 3] = nk - muldiv255(cmyk[i]!, nk);
    out[p * 3 + 1] = nk - muldiv255(cmyk[i + 1]!, nk);
    out[p * 3 + 2] = nk - muldiv255(cmyk[i + 2]!, nk);
  }
  return out;
}

/**
 * A copy of the JPEG for a browser decoder: EXIF orientation (tag 0x0112 of IFD0) set to 1, and an
 * EOI marker appended when the stream does not end with one. The input is left untouched.
 */
export function jpegForBrowser(b: Uint8Array): Uint8Array {
  const ended = b.length >= 2 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
  const out = new Uint8Array(b.length + (ended ? 0 : 2));
  out.set(b);
  if (!ended) out.set([0xff, 0xd9], b.length);
  segments(out, (marker, at, length) => {
    if (marker !== 0xe1 || length < 14 || String.fromCharCode(...out.subarray(at, at + 6)) !== 'Exif\0\0') return;
    const tiff = at + 6;
    const end = at + length;
    const little = out[tiff] === 0x49;
    const r16 = (o: number) => (little ? u16le(out, o) : u16be(out, o));
    const r32 = (o: number) => (little ? (u16le(out, o) | (u16le(out, o + 2) << 16)) >>> 0 : ((u16be(out, o) << 16) | u16be(out, o + 2)) >>> 0);
    const ifd = tiff + r32(tiff + 4);
    if (ifd + 2 > end) return;
    const count = r16(ifd);
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      if (e + 12 > end) return;
      if (r16(e) === 0x0112) {
        // A SHORT stored in the first two bytes of the value field.
        out[e + 8] = little ? 1 : 0;
        out[e + 9] = little ? 0 : 1;
      }
    }
  });
  return out;
}
