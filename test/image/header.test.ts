import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { headerSize } from '../../lib/image/header.js';

const W = 37;
const H = 23;
const raw = () => sharp(Buffer.alloc(W * H * 3, 128), { raw: { width: W, height: H, channels: 3 } });

describe('headerSize', () => {
  it.each(['png', 'jpeg', 'gif', 'webp'] as const)('reads %s dimensions from the header', async (format) => {
    const bytes = new Uint8Array(await raw().toFormat(format).toBuffer());
    expect(headerSize(bytes)).toEqual({ width: W, height: H });
    // The header alone is enough: the first 600 bytes.
    expect(headerSize(bytes.subarray(0, 600))).toEqual({ width: W, height: H });
  });

  it('reads lossless WebP (VP8L) and progressive JPEG', async () => {
    expect(headerSize(new Uint8Array(await raw().webp({ lossless: true }).toBuffer()))).toEqual({ width: W, height: H });
    expect(headerSize(new Uint8Array(await raw().jpeg({ progressive: true }).toBuffer()))).toEqual({ width: W, height: H });
  });

  it('reads a BMP header, top-down or bottom-up', () => {
    const bmp = new Uint8Array(54);
    const v = new DataView(bmp.buffer);
    bmp.set([0x42, 0x4d]);
    v.setInt32(18, 640, true);
    v.setInt32(22, -480, true);
    expect(headerSize(bmp)).toEqual({ width: 640, height: 480 });
  });

  it('returns undefined for bytes it does not recognise, and never throws on truncated headers', () => {
    expect(headerSize(new Uint8Array(0))).toBeUndefined();
    expect(headerSize(new TextEncoder().encode('not an image at all'))).toBeUndefined();
    expect(headerSize(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]))).toBeUndefined();
    expect(headerSize(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
  });
});

describe('headerSize for the formats decoded here', () => {
  it('reads PBM/PGM/PPM sizes, comments included, and TGA sizes', () => {
    expect(headerSize(new TextEncoder().encode('P6\n# a comment\n20000 30000\n255\n'))).toEqual({ width: 20000, height: 30000 });
    expect(headerSize(new TextEncoder().encode('P4 17 5\n'))).toEqual({ width: 17, height: 5 });
    const tga = new Uint8Array(18);
    tga.set([0, 0, 2], 0);
    new DataView(tga.buffer).setUint16(12, 65535, true);
    new DataView(tga.buffer).setUint16(14, 65535, true);
    tga[16] = 24;
    expect(headerSize(tga)).toEqual({ width: 65535, height: 65535 });
    // Not a TGA for Pillow: an unknown image type.
    tga[2] = 7;
    expect(headerSize(tga)).toBeUndefined();
  });
});
