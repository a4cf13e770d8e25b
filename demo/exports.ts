/** The demo's downloads: mask PNG, cut-out PNG, COCO RLE JSON and polygon JSON of the chosen mask. */
import { cutout, maskToPolygon, maskToRgba, toCocoRle, type BinaryMask } from '../lib/index.js';

export type ExportKind = 'mask' | 'cutout' | 'rle' | 'polygon';

async function png(rgba: Uint8ClampedArray, width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

function save(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

export async function downloadExport(kind: ExportKind, mask: BinaryMask, image: ImageData): Promise<void> {
  const { width, height } = mask;
  const json = (value: unknown) => new Blob([JSON.stringify(value)], { type: 'application/json' });
  switch (kind) {
    case 'mask': // black and white, opaque: the usual mask image
      return save(await png(maskToRgba(mask, [255, 255, 255, 255], [0, 0, 0, 255]), width, height), 'mask.png');
    case 'cutout':
      return save(await png(cutout(image.data, mask), width, height), 'cutout.png');
    case 'rle':
      return save(json(toCocoRle(mask)), 'mask.rle.json');
    case 'polygon':
      return save(json({ width, height, polygon: maskToPolygon(mask) }), 'mask.polygon.json');
  }
}
