/**
 * Encoded image bytes to the pixels the runner gets from Pillow 10.3's
 * `Image.open(f).convert("RGB")` with `ImageFile.LOAD_TRUNCATED_IMAGES = True`.
 *
 * The format is identified as Pillow identifies it. PNG, GIF, BMP, ICO, PPM/PGM/PBM and TGA are
 * decoded here, in plain TypeScript, the same on every platform: browsers lack most of these
 * formats, and where they have them they premultiply alpha, colour-manage, or refuse truncated
 * files. JPEG, WebP and TIFF go to the platform's decoder (`native`), which must apply no colour
 * management and no EXIF orientation. Anything else is not an image Pillow opens (SVG, AVIF, HEIC…).
 */
import type { PixelImage } from '../pipeline/preprocess.js';
import { decodeBmp } from './formats/bmp.js';
import { decodeGif } from './formats/gif.js';
import { decodeIco } from './formats/ico.js';
import { decodeNetpbm } from './formats/netpbm.js';
import { decodePng, PNG_SIGNATURE, type Inflate } from './formats/png.js';
import { ImageFormatError } from './formats/raster.js';
import { decodeTga, isTga } from './formats/tga.js';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'ico' | 'netpbm' | 'tga' | 'webp' | 'tiff';
/** The formats the platform decodes. */
export type NativeFormat = 'jpeg' | 'webp' | 'tiff';

export interface ImageCodecs {
  readonly inflate: Inflate;
  readonly native: (bytes: Uint8Array, format: NativeFormat) => Promise<PixelImage>;
}

const starts = (b: Uint8Array, bytes: readonly number[], at = 0) => bytes.every((v, i) => b[at + i] === v);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The format Pillow would open these bytes as, among those decoded here; undefined if none. */
export function identify(b: Uint8Array): ImageFormat | undefined {
  // Pillow tries BMP, GIF, JPEG, PPM and PNG first, then its other plugins (TGA before TIFF and WebP).
  if (starts(b, ascii('BM'))) return 'bmp';
  if (starts(b, ascii('GIF87a')) || starts(b, ascii('GIF89a'))) return 'gif';
  if (starts(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (b.length >= 2 && b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x36) return 'netpbm';
  if (starts(b, PNG_SIGNATURE)) return 'png';
  if (starts(b, [0, 0, 1, 0])) return 'ico';
  if (isTga(b)) return 'tga';
  if (starts(b, ascii('II*\0')) || starts(b, ascii('MM\0*')) || starts(b, ascii('II+\0')) || starts(b, ascii('MM\0+'))) return 'tiff';
  if (starts(b, ascii('RIFF')) && starts(b, ascii('WEBP'), 8)) return 'webp';
  return undefined;
}

/** Decodes like Pillow; throws ImageFormatError for bytes Pillow would not open. */
export async function decodeLikePillow(bytes: Uint8Array, codecs: ImageCodecs): Promise<PixelImage> {
  const format = identify(bytes);
  switch (format) {
    case 'png':
      return decodePng(bytes, codecs.inflate);
    case 'gif':
      return decodeGif(bytes);
    case 'bmp':
      return decodeBmp(bytes);
    case 'ico':
      return decodeIco(bytes, codecs.inflate);
    case 'netpbm':
      return decodeNetpbm(bytes);
    case 'tga':
      return decodeTga(bytes);
    case 'jpeg':
    case 'webp':
    case 'tiff':
      return codecs.native(bytes, format);
    default:
      throw new ImageFormatError('cannot identify image file');
  }
}
