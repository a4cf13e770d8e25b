/** The demo page: click points on an image and see the mask, on the embedded model. */
import { createSegmenter, type ImageHandle, type SegmentAnything2Response } from '../lib/index.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const imageCanvas = $<HTMLCanvasElement>('image');
const overlay = $<HTMLCanvasElement>('overlay');
const status = $<HTMLDivElement>('status');
const candidates = $<HTMLDivElement>('candidates');
const points: Array<{ x: number; y: number; label: 0 | 1 }> = [];
let image: Promise<ImageHandle> | undefined;

// A module worker runs the model: WebGPU when it can start, else WASM (and the page says why).
const segmenter = await createSegmenter();
const { device, threads, fallbackReason } = segmenter.backend;
const backendText = `${device}${device === 'wasm' ? ` (${threads} thread${threads > 1 ? 's' : ''})` : ''}`;
status.textContent = `Model ${segmenter.modelId} on ${backendText}.${fallbackReason ? ` Not WebGPU: ${fallbackReason}` : ''}`;

/** Shows an image and encodes it once, ahead of the first click. */
function show(source: CanvasImageSource, width: number, height: number): void {
  for (const c of [imageCanvas, overlay]) Object.assign(c, { width, height });
  const ctx = imageCanvas.getContext('2d')!;
  ctx.drawImage(source, 0, 0, width, height);
  points.length = 0;
  drawMask(undefined);
  const started = performance.now();
  status.textContent = 'Encoding the image…';
  image = segmenter.setImage(ctx.getImageData(0, 0, width, height));
  image.then(
    () => (status.textContent = `Encoded in ${Math.round(performance.now() - started)} ms on ${backendText}. Click the image.`),
    (e) => (status.textContent = `Error: ${e instanceof Error ? e.message : String(e)}`),
  );
}

function drawSample(): void {
  const c = new OffscreenCanvas(480, 360);
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#7a7f78';
  ctx.fillRect(0, 0, 480, 360);
  ctx.fillStyle = '#d83c28';
  ctx.beginPath();
  ctx.arc(170, 160, 70, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = '#285ad2';
  ctx.fillRect(290, 80, 140, 170);
  show(c, 480, 360);
}

function drawMask(response: SegmentAnything2Response | undefined): void {
  const ctx = overlay.getContext('2d')!;
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  candidates.textContent = '';
  if (response) {
    const [, h, w] = response.masks.dims as [number, number, number];
    const mask = ctx.createImageData(w, h);
    const data = response.masks.data;
    for (let i = 0; i < w * h; i++) if (data[i]! > 0) mask.data.set([30, 144, 255, 140], i * 4);
    ctx.putImageData(mask, 0, 0);
    candidates.textContent = `scores: ${Array.from(response.scores.data, (s) => s.toFixed(3)).join(', ')}`;
  }
  for (const p of points) {
    ctx.fillStyle = p.label ? '#3f3' : '#f33';
    ctx.beginPath();
    ctx.arc(p.x, p.y, 5, 0, 2 * Math.PI);
    ctx.fill();
  }
}

async function segment(): Promise<void> {
  if (!image || points.length === 0) return drawMask(undefined);
  try {
    const handle = await image;
    const started = performance.now();
    const response = await segmenter.segment({
      image: handle,
      point_coords: points.map((p) => [p.x, p.y]),
      point_labels: points.map((p) => p.label),
      return_logits: false,
    });
    drawMask(response);
    status.textContent = `Mask in ${Math.round(performance.now() - started)} ms on ${backendText}.`;
  } catch (e) {
    status.textContent = `Error: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function addPoint(e: MouseEvent, label: 0 | 1): void {
  e.preventDefault();
  const r = imageCanvas.getBoundingClientRect();
  const x = Math.round(((e.clientX - r.left) / r.width) * imageCanvas.width);
  const y = Math.round(((e.clientY - r.top) / r.height) * imageCanvas.height);
  points.push({ x, y, label });
  void segment();
}

imageCanvas.addEventListener('click', (e) => addPoint(e, e.altKey ? 0 : 1));
imageCanvas.addEventListener('contextmenu', (e) => addPoint(e, 0));
$('sample').addEventListener('click', drawSample);
$('clear').addEventListener('click', () => {
  points.length = 0;
  drawMask(undefined);
});
$<HTMLInputElement>('file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const bitmap = await createImageBitmap(file);
  show(bitmap, bitmap.width, bitmap.height);
  bitmap.close();
});
drawSample();
