/**
 * Node's codecs for decoding like Pillow (lib/image/decode.ts): node:zlib for PNG data, and sharp
 * (libvips) for JPEG, WebP and TIFF with its colour management off (`ignoreIcc`: the samples as
 * stored, as Pillow gives them), no EXIF rotation (sharp rotates only when asked), truncated data
 * decoded as far as it goes (`failOn: 'none'`), and CMYK JPEGs read as CMYK and converted with
 * Pillow's arithmetic rather than through a profile.
 */
import { constants, createInflate, inflateSync } from 'node:zlib';
import { decodeLikePillow, type ImageCodecs, type NativeFormat } from '../image/decode.js';
import { cmykToRgb, jpegComponents } from '../image/formats/jpeg.js';
import { MAX_IMAGE_PIXELS } from '../image/limits.js';
import type { PixelImage } from '../pipeline/preprocess.js';

/** Inflates as far as the data goes (a truncated stream keeps what it decoded), stopping at `limit` bytes. */
async function inflate(zlib: Uint8Array, limit: number): Promise<Uint8Array> {
  try {
    // One call for a sound (or merely truncated) stream; corrupt data or more than `limit` bytes
    // throw, and the stream below keeps what comes before the damage.
    const out = inflateSync(zlib, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(1, limit) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch {
    return inflateStream(zlib, limit);
  }
}

function inflateStream(zlib: Uint8Array, limit: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const z = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
    const done = () => {
      const out = new Uint8Array(Math.min(size, limit));
      let at = 0;
      for (const c of chunks) {
        if (at >= out.length) break;
        out.set(c.subarray(0, out.length - at), at);
        at += c.length;
      }
      resolve(out);
    };
    z.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size >= limit) {
        z.removeAllListeners('end');
        z.removeAllListeners('error');
        z.on('error', () => {});
        z.destroy();
        done();
      }
    });
    z.once('end', done);
    z.once('error', done);
    z.end(zlib);
  });
}

async function native(bytes: Uint8Array, format: NativeFormat): Promise<PixelImage> {
  const { default: sharp } = await import('sharp');
  const input = sharp(bytes, { failOn: 'none', ignoreIcc: true, limitInputPixels: MAX_IMAGE_PIXELS, pages: 1 });
  if (format === 'jpeg' && jpegComponents(bytes) === 4) {
    const { data, info } = await input.pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`sharp returned ${info.channels} channels for a CMYK JPEG, expected 4`);
    return { data: cmykToRgb(data, info.width * info.height), width: info.width, height: info.height, channels: 3 };
  }
  const { data, info } = await input.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`sharp returned ${info.channels} channels, expected 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
}

export const nodeCodecs: ImageCodecs = { inflate, native };

/** Encoded bytes to the pixels Pillow gives the runner. */
export const decodeNodeImage = (bytes: Uint8Array) => decodeLikePillow(bytes, nodeCodecs);
