/** The golden Pillow pixels (test/golden/pillow.json, made by generate_images.py) and their images. */
import { readFileSync } from 'node:fs';

export interface PillowGolden {
  readonly format: string;
  readonly mode: string;
  readonly width: number;
  readonly height: number;
  readonly sha256: string;
  /** Pillow's convert("RGB") bytes, base64. */
  readonly rgb: string;
}

const root = new URL('./', import.meta.url);
export const PILLOW = JSON.parse(readFileSync(new URL('pillow.json', root), 'utf8')) as {
  pillow: string;
  notes: string[];
  refused: Record<string, string>;
  /** Files on which Pillow raises ValueError (the runner's 400). */
  errors: Record<string, string>;
  images: Record<string, PillowGolden>;
};

export const goldenImage = (name: string) => new Uint8Array(readFileSync(new URL(`images/${name}`, root)));
export const goldenRgb = (name: string) => new Uint8Array(Buffer.from(PILLOW.images[name]!.rgb, 'base64'));

/** How far `got` is from Pillow's pixels: the differing bytes and the largest difference. */
export function pixelDiff(name: string, got: { width: number; height: number; data: ArrayLike<number>; channels: number }) {
  const want = goldenRgb(name);
  const g = PILLOW.images[name]!;
  if (got.width !== g.width || got.height !== g.height) return { size: `${got.width}×${got.height}, want ${g.width}×${g.height}`, differing: want.length, max: 255 };
  let differing = 0;
  let max = 0;
  for (let p = 0; p < g.width * g.height; p++) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(want[p * 3 + c]! - got.data[p * got.channels + c]!);
      if (d) differing++;
      max = Math.max(max, d);
    }
  }
  return { size: 'same', differing, max };
}
