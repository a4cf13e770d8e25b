// A fresh app that uses the installed sam2-web package as the README's "Use it in a page" says.
import { binaryMask, createSegmenter, type ImageInput } from 'sam2-web';

/** A 200×150 scene: a red disk of radius 40 at (70, 75) on grey. */
function scene(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width: 200, height: 150 });
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#808080';
  ctx.fillRect(0, 0, 200, 150);
  ctx.fillStyle = '#d02020';
  ctx.beginPath();
  ctx.arc(70, 75, 40, 0, 2 * Math.PI);
  ctx.fill();
  return canvas;
}

export interface Outcome {
  readyMs: number;
  backend: { device: string; threads: number; fallbackReason?: string };
  dims: number[];
  /** Intersection over union of the best mask with the drawn disk. */
  iou: number;
  crossOriginIsolated: boolean;
}

/** Segments the disk with a point on it, in a worker (the default) or on this thread. */
async function run(worker: boolean): Promise<Outcome> {
  const started = performance.now();
  const segmenter = await createSegmenter(worker ? {} : { worker: false });
  const readyMs = Math.round(performance.now() - started);
  try {
    const canvas = scene();
    const image: ImageInput = worker ? canvas : canvas.getContext('2d')!.getImageData(0, 0, 200, 150);
    const response = await segmenter.segment({ image, point_coords: [[70, 75]], point_labels: [1], multimask_output: false }, { maskFormat: 'uint8' });
    const mask = binaryMask(response.masks, 0);
    let both = 0;
    let either = 0;
    for (let y = 0; y < mask.height; y++) {
      for (let x = 0; x < mask.width; x++) {
        const disk = (x + 0.5 - 70) ** 2 + (y + 0.5 - 75) ** 2 <= 40 ** 2;
        const m = mask.data[y * mask.width + x] === 1;
        if (disk && m) both++;
        if (disk || m) either++;
      }
    }
    return { readyMs, backend: { ...segmenter.backend }, dims: [...response.masks.dims], iou: both / either, crossOriginIsolated };
  } finally {
    await segmenter.close();
  }
}

Object.assign(window, { consumer: { run } });
