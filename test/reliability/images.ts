/** The corpus's images as encoded bytes, made with sharp (Node only). */
import sharp from 'sharp';
import { drawImage, texture } from '../helpers.js';
import { goldenImage } from '../golden/pillow.js';
import type { ImageName } from './corpus.js';

/** Sets big-endian 16-bit `value` at `at`. */
function u16be(b: Uint8Array, at: number, value: number): void {
  b[at] = value >> 8;
  b[at + 1] = value & 0xff;
}

export async function corpusImages(): Promise<Record<ImageName, Uint8Array>> {
  const scene = drawImage(40, 30, texture);
  const raw = (w: number, h: number, data: ArrayLike<number>) => sharp(Buffer.from(data as Uint8Array), { raw: { width: w, height: h, channels: 4 } });
  const png = new Uint8Array(await raw(40, 30, scene.data).png().toBuffer());
  const big = drawImage(256, 192, texture);
  const bigPng = new Uint8Array(await raw(256, 192, big.data).png({ compressionLevel: 0 }).toBuffer());
  const jpeg = new Uint8Array(await raw(256, 192, big.data).jpeg().toBuffer());
  const onePixel = new Uint8Array(await raw(1, 1, new Uint8Array([200, 30, 30, 255])).png().toBuffer());

  const bombPng = png.slice();
  new DataView(bombPng.buffer).setUint32(16, 20_000);
  new DataView(bombPng.buffer).setUint32(20, 20_000);
  const bombJpeg = jpeg.slice();
  for (let at = 2; at < bombJpeg.length; ) {
    const marker = bombJpeg[at + 1]!;
    if (marker === 0xc0 || marker === 0xc2) {
      u16be(bombJpeg, at + 5, 20_000);
      u16be(bombJpeg, at + 7, 20_000);
      break;
    }
    at += 2 + ((bombJpeg[at + 2]! << 8) | bombJpeg[at + 3]!);
  }
  const gif = new Uint8Array(await raw(40, 30, scene.data).gif().toBuffer());
  const bombGif = gif.slice();
  new DataView(bombGif.buffer).setUint16(6, 65_535, true);
  new DataView(bombGif.buffer).setUint16(8, 65_535, true);

  const text = new TextEncoder();
  return {
    png,
    truncatedPng: bigPng.subarray(0, Math.floor(bigPng.length / 2)),
    truncatedJpeg: jpeg.subarray(0, Math.floor(jpeg.length / 2)),
    empty: new Uint8Array(0),
    text: text.encode('point_coords=[[1,2]] is not an image'),
    html: text.encode('<!doctype html><html><body>404 Not Found</body></html>'),
    onePixel,
    bombPng,
    bombGif,
    bombJpeg,
    bmp: goldenImage('bmp24.bmp'),
    ico: goldenImage('icon-dib.ico'),
    ppm: goldenImage('p6.ppm'),
    tga: goldenImage('tga32-rle.tga'),
    svg: goldenImage('refused.svg'),
    avif: goldenImage('refused.avif'),
    bombTga: Uint8Array.from([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 24, 0, ...new Array<number>(64).fill(7)]),
    ppmTooLarge: goldenImage('error-ppm-plain-too-large.ppm'),
    bombPpm: new TextEncoder().encode(`P6\n20000 20000\n255\n${'x'.repeat(64)}`),
  };
}
