/** The demo's overlay: a chosen mask, a hover preview, and the prompts, drawn over the image. */
import { maskToRgba, type BinaryMask } from '../lib/index.js';

export type Prompt = { kind: 'point'; x: number; y: number; label: 0 | 1 } | { kind: 'box'; box: [number, number, number, number] };

/** A chosen mask: a blue tint. */
const CHOSEN = [30, 144, 255, 150] as const;
/** A hover preview: a light magenta tint, edged inside in white and outside in black, so it shows on light and dark objects alike. */
const PREVIEW = { fill: [255, 64, 255, 70], inner: [255, 255, 255, 255], outer: [0, 0, 0, 255] } as const;

/** `mask` as RGBA pixels: a tint, and for a preview a two-tone outline. */
export function maskPixels(mask: BinaryMask, preview: boolean): Uint8ClampedArray<ArrayBuffer> {
  if (!preview) return maskToRgba(mask, CHOSEN) as Uint8ClampedArray<ArrayBuffer>;
  const { width: w, height: h, data } = mask;
  const out = new Uint8ClampedArray(w * h * 4);
  const at = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] === 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const inside = data[i] === 1;
      const edge = at(x - 1, y) !== inside || at(x + 1, y) !== inside || at(x, y - 1) !== inside || at(x, y + 1) !== inside;
      if (edge) out.set(inside ? PREVIEW.inner : PREVIEW.outer, i * 4);
      else if (inside) out.set(PREVIEW.fill, i * 4);
    }
  }
  return out;
}

/** Draws `mask` (or none) and the prompts on the overlay canvas. */
export function drawOverlay(canvas: HTMLCanvasElement, mask: BinaryMask | undefined, preview: boolean, prompts: readonly Prompt[]): void {
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (mask) ctx.putImageData(new ImageData(maskPixels(mask, preview), mask.width, mask.height), 0, 0);
  for (const p of prompts) {
    ctx.strokeStyle = ctx.fillStyle = p.kind === 'box' ? '#ff0' : p.label ? '#3f3' : '#f33';
    if (p.kind === 'box') ctx.strokeRect(p.box[0] + 0.5, p.box[1] + 0.5, p.box[2] - p.box[0], p.box[3] - p.box[1]);
    else {
      ctx.beginPath();
      ctx.arc(p.x, p.y, 5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}
