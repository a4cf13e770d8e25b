/**
 * The demo's "Everything" mode and multi-object selection, apart from demo/main.ts:
 * - Everything: `generateMasks` on the current image, every mask drawn in its own colour with a
 *   progress bar; a click then picks the smallest mask under the pointer as the selection.
 * - Objects: "Keep object" stores the current selection in its own colour; exports take the union
 *   of the kept objects and the current selection.
 */
import { type BinaryMask, type ImageHandle, type MaskRecord, type Segmenter, type BinaryMaskArray } from '../lib/index.js';

export interface EverythingHost {
  readonly segmenter: Segmenter;
  /** The stage's image canvas: the layer is stacked on it, and sized with it. */
  readonly imageCanvas: HTMLCanvasElement;
  /** The current image's handle, once encoded. */
  image(): Promise<ImageHandle> | undefined;
  /** The current selection (the main mode's chosen mask), if any. */
  selection(): BinaryMask | undefined;
  /** Makes `mask` the selection (drawn and exported by main). */
  select(mask: BinaryMask): void;
  /** Drops the selection and its prompts, so the next click starts a new object. */
  deselect(): void;
  status(text: string): void;
}

/** A distinct colour per index (golden-angle hues). */
function colour(k: number, alpha: number): [number, number, number, number] {
  const h = (k * 137.508) % 360;
  const f = (n: number) => {
    const a = 0.6 * Math.min(0.5, 1 - 0.5);
    const t = (n + h / 30) % 12;
    return Math.round(255 * (0.5 - a * Math.max(-1, Math.min(t - 3, 9 - t, 1))));
  };
  return [f(0), f(8), f(4), alpha];
}

function toMask(seg: BinaryMaskArray): BinaryMask {
  return { data: seg.data, width: seg.dims[1], height: seg.dims[0] };
}

export function installEverything(host: EverythingHost, controls: HTMLElement) {
  const layer = document.createElement('canvas');
  layer.id = 'everything-layer';
  layer.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;pointer-events:none';
  host.imageCanvas.after(layer);
  const button = document.createElement('button');
  button.id = 'everything';
  button.textContent = 'Everything';
  button.title = 'All masks of the image (SAM2 automatic mask generator), then click one to select it';
  const keep = document.createElement('button');
  keep.id = 'keep-object';
  keep.textContent = 'Keep object';
  keep.title = 'Keep the selection as an object in its own colour; exports include every kept object';
  const bar = document.createElement('progress');
  bar.id = 'everything-progress';
  bar.max = 1;
  bar.value = 0;
  bar.title = 'generateMasks: points decoded';
  controls.append(button, keep, bar);

  let records: MaskRecord<BinaryMaskArray>[] = [];
  const objects: BinaryMask[] = [];
  let running: AbortController | undefined;

  const redraw = () => {
    const { width, height } = host.imageCanvas;
    Object.assign(layer, { width, height });
    const rgba = new Uint8ClampedArray(width * height * 4);
    const paint = (mask: BinaryMask, c: readonly number[]) => {
      for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) rgba.set(c, i * 4);
    };
    // Larger masks first, so small ones stay visible on top.
    [...records].sort((a, b) => b.area - a.area).forEach((r) => paint(toMask(r.segmentation), colour(records.indexOf(r), 110)));
    objects.forEach((m, k) => paint(m, colour(k + 3, 150)));
    layer.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
  };

  button.onclick = async () => {
    const image = host.image();
    if (!image) return;
    running?.abort();
    const controller = new AbortController();
    running = controller;
    const started = performance.now();
    host.status('Finding every mask…');
    bar.value = 0;
    try {
      // The reference's 32×32 grid on WebGPU; 16×16 on WASM, where each decoder run costs ~0.2 s.
      const side = host.segmenter.backend.device === 'webgpu' ? 32 : 16;
      records = await host.segmenter.generateMasks(await image, {
        points_per_side: side,
        signal: controller.signal,
        onProgress: ({ done, total }) => (bar.value = total ? done / total : 0),
      });
      host.status(`${records.length} masks in ${Math.round(performance.now() - started)} ms. Click one to select it.`);
      redraw();
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code !== 'ABORTED') host.status(`Error: ${err.message ?? String(e)}`);
    }
  };

  keep.onclick = () => {
    const mask = host.selection();
    if (!mask) {
      host.status('Nothing to keep yet: select an object first (click it, or pick one after Everything).');
      return;
    }
    objects.push(mask);
    // The next click starts a new object, not another point of this one.
    host.deselect();
    host.status(`${objects.length} object${objects.length > 1 ? 's' : ''} kept; exports include them all.`);
    redraw();
  };

  return {
    /** In Everything mode a click picks the smallest mask under (x, y); returns whether it did. */
    pick(x: number, y: number): boolean {
      const hits = records.filter((r) => r.segmentation.data[y * r.segmentation.dims[1] + x]);
      if (records.length === 0) return false;
      const best = hits.sort((a, b) => a.area - b.area)[0];
      records = [];
      redraw();
      if (best) {
        host.select(toMask(best.segmentation));
        host.status(`Selected a mask of ${best.area} px (predicted IoU ${best.predicted_iou.toFixed(3)}). Keep object adds it to the objects; exports include it.`);
      } else host.status('No mask there. Click Everything again to pick another.');
      return true;
    },
    /** The mask to export: the union of the kept objects and `current`. */
    exportMask(current: BinaryMask | undefined): BinaryMask | undefined {
      if (objects.length === 0) return current;
      const all = current ? [...objects, current] : objects;
      const data = new Uint8Array(all[0]!.data.length);
      for (const m of all) for (let i = 0; i < data.length; i++) if (m.data[i]) data[i] = 1;
      return { data, width: all[0]!.width, height: all[0]!.height };
    },
    /** A new image: drops the masks and objects of the last one. */
    reset(): void {
      running?.abort();
      records = [];
      objects.length = 0;
      bar.value = 0;
      redraw();
    },
  };
}
