/**
 * PBM, PGM and PPM (P1–P6) as Pillow 10.3 reads them and `convert("RGB")` turns them into RGB:
 * maxval other than 255 scaled with Python's `round(v / maxval * out_max)`, grey above 8 bits as
 * Pillow's mode `I` (clipped at 255 in RGB), a short file leaving the rest black. Pure.
 */
import { ImageFormatError, rgbImage, type Rgb } from './raster.js';

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/** Python's round(): to the nearest integer, halves to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

interface Header {
  kind: number;
  width: number;
  height: number;
  /** The next byte to read. */
  at: number;
  token(): number;
}

/** The magic number and size, read as Pillow's `_read_magic` and `_read_token` read them. */
function readHeader(b: Uint8Array): Header {
  let at = 0;
  let magic = '';
  while (at < b.length && magic.length < 6 && !WHITESPACE.has(b[at]!)) magic += String.fromCharCode(b[at++]!);
  at++;
  if (!/^P[1-6]$/.test(magic)) throw new ImageFormatError(`not a PPM file (${JSON.stringify(magic)})`);
  const h = {
    kind: Number(magic[1]),
    width: 0,
    height: 0,
    at,
    token(): number {
      let t = '';
      while (t.length <= 10) {
        if (h.at >= b.length) break;
        const c = b[h.at++]!;
        if (WHITESPACE.has(c)) {
          if (!t) continue;
          break;
        }
        if (c === 0x23) {
          while (h.at < b.length && b[h.at] !== 0x0a && b[h.at] !== 0x0d) h.at++;
          h.at++;
          continue;
        }
        t += String.fromCharCode(c);
      }
      if (!t) throw new ImageFormatError('Reached EOF while reading header', 'ValueError');
      if (t.length > 10 || !/^[+-]?\d+$/.test(t.replace(/_/g, ''))) throw new ImageFormatError(`PPM: bad header token ${t}`, 'ValueError');
      return Number(t.replace(/_/g, ''));
    },
  };
  h.width = h.token();
  h.height = h.token();
  return h;
}

/** The size a PBM/PGM/PPM header declares, or undefined if it is not one. */
export function netpbmSize(b: Uint8Array): { width: number; height: number } | undefined {
  try {
    const { width, height } = readHeader(b);
    return { width, height };
  } catch {
    return undefined;
  }
}

export function decodeNetpbm(b: Uint8Array): Rgb {
  const header = readHeader(b);
  const { kind, width, height, token } = header;
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : token();
  if (!(maxval > 0 && maxval < 65536)) throw new ImageFormatError('maxval must be greater than 0 and less than 65536', 'ValueError');
  let at = header.at;
  const img = rgbImage(width, height);
  const bands = kind === 3 || kind === 6 ? 3 : 1;
  // Grey above 8 bits is Pillow's mode I (0..65535), which RGB clips at 255.
  const outMax = bands === 1 && maxval > 255 ? 65535 : 255;
  const total = width * height * bands;
  const samples = new Uint8Array(total);
  let n = 0;
  const put = (v: number) => {
    samples[n++] = bands === 1 && outMax === 65535 ? Math.min(v, 255) : v;
  };
  if (kind === 4) {
    const rowBytes = Math.ceil(width / 8);
    for (let y = 0; y < height && at + rowBytes <= b.length; y++, at += rowBytes) {
      for (let x = 0; x < width; x++) put((b[at + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 255);
    }
  } else if (kind === 1) {
    for (; at < b.length && n < total; at++) {
      const c = b[at]!;
      if (c === 0x23) {
        while (at < b.length && b[at] !== 0x0a && b[at] !== 0x0d) at++;
      } else if (c === 0x30 || c === 0x31) put(c === 0x31 ? 0 : 255);
      else if (!WHITESPACE.has(c)) throw new ImageFormatError('Invalid token for this mode', 'ValueError');
    }
  } else if (kind === 2 || kind === 3) {
    const text = new TextDecoder('latin1').decode(b.subarray(at)).replace(/#[^\r\n]*/g, '');
    for (const t of text.split(/[ \t\n\v\f\r]+/)) {
      if (!t) continue;
      if (n >= total) break;
      if (t.length > 10 || !/^\d+$/.test(t)) throw new ImageFormatError(`Token too long or not a number in data: ${t.slice(0, 11)}`, 'ValueError');
      const v = Number(t);
      if (v > maxval) throw new ImageFormatError(`Channel value too large for this mode: ${v}`, 'ValueError');
      put(roundHalfEven((v / maxval) * outMax));
    }
  } else {
    const wide = maxval > 255;
    for (; n < total && at + (wide ? 2 : 1) <= b.length; at += wide ? 2 : 1) {
      const v = wide ? (b[at]! << 8) | b[at + 1]! : b[at]!;
      // maxval 255 (and 65535 for grey) are read raw; any other maxval is scaled, then clipped.
      put(maxval === 255 || (maxval === 65535 && bands === 1) ? v : Math.min(outMax, roundHalfEven((v / maxval) * outMax)));
    }
  }
  // Pillow's Python decoders (plain files, and binary ones with another maxval) hand their samples
  // to set_as_raw, which refuses too few; its raw decoder (P4, and maxval 255 or 16-bit grey) does not.
  const raw = kind === 4 || ((kind === 5 || kind === 6) && (maxval === 255 || (maxval === 65535 && bands === 1)));
  if (!raw && n < total) throw new ImageFormatError('not enough image data', 'ValueError');
  for (let p = 0; p < width * height; p++) {
    const o = p * 3;
    if (bands === 3) img.data.set(samples.subarray(o, o + 3), o);
    else img.data[o] = img.data[o + 1] = img.data[o + 2] = samples[p]!;
  }
  return img;
}
