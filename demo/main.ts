/**
 * The demo page: points, boxes and hover previews on an image, in a worker, on the embedded model
 * or (online, `?model=<id>`) one of the gateway's SAM2 models.
 */
import { binaryMask, createSegmenter, maskToRgba, SAM2_MODELS, type BinaryMask, type ImageHandle, type SegmentAnything2Response } from '../lib/index.js';
import { errorText } from '../lib/errors.js';
import { installEverything } from './everything.js';
import { downloadExport, type ExportKind } from './exports.js';
import { installGatewayPanel, type PromptFields } from './gateway-panel.js';
import { drawOverlay, type Prompt } from './overlay.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const imageCanvas = $<HTMLCanvasElement>('image');
const overlay = $<HTMLCanvasElement>('overlay');
const status = $<HTMLDivElement>('status');
const bar = $<HTMLDivElement>('bar');
const candidates = $<HTMLDivElement>('candidates');
const progress = $<HTMLProgressElement>('progress');
const modelSelect = $<HTMLSelectElement>('model');

// The model comes from the URL (?model=facebook/sam2-hiera-tiny); choosing another reloads the page.
// `?decoder=int8` runs the int8 decoder tier (faster prompts on WASM; see the README).
const params = new URLSearchParams(location.search);
const modelId = params.get('model') ?? '';
const decoderPrecision = params.get('decoder') === 'int8' ? 'int8' : 'fp32';
for (const id of Object.keys(SAM2_MODELS)) modelSelect.add(new Option(`${id} (download)`, id));
modelSelect.value = modelId;
modelSelect.addEventListener('change', () => {
  const url = new URL(location.href);
  if (modelSelect.value) url.searchParams.set('model', modelSelect.value);
  else url.searchParams.delete('model');
  location.assign(url);
});

const prompts: Prompt[] = [];
let image: Promise<ImageHandle> | undefined;
let pixels: ImageData | undefined;
let shown: { response: SegmentAnything2Response; chosen: number } | undefined;
/** Counts changes of the selection: a hover preview sent before one is stale when it answers. */
let selections = 0;
const timing = { encodeMs: 0, decodeMs: 0 };
/** Performance marks of a visit's first steps, read by the benchmark (`firstMaskMs`, bench/first-mask.ts). */
const markOnce = (name: string) => performance.getEntriesByName(`sam2-demo:${name}`).length || performance.mark(`sam2-demo:${name}`);

// The built demo works offline: its service worker precaches the app and onnxruntime-web's files,
// and the library keeps the checked model files in Cache Storage.
// It also routes the "Gateway client" panel's SDK calls to this page (demo/gateway-panel.ts).
// Registered after the first mask (or 10 s after the first encode, or when the model failed to
// load): on a first visit its 41 MB precache would otherwise compete with the model download,
// session creation, encode and first decode.
let registered = false;
function registerServiceWorker(): void {
  if (registered || !import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  registered = true;
  void navigator.serviceWorker.register('/sw.js', { type: 'module' });
}

// A module worker runs the model: WebGPU when it can start, else WASM (and the page says why).
const loaded = new Map<string, { loaded: number; total: number }>();
const segmenter = await createSegmenter({
  model: modelId,
  decoderPrecision,
  // The built demo serves ORT's runtime files itself (see vite.config.ts).
  wasmPaths: import.meta.env.PROD ? new URL('/ort/', location.href).href : undefined,
  onProgress: (p) => {
    if (p.loaded === p.total && p.file !== 'archive') markOnce(`fetched-${p.file}`);
    loaded.set(p.file, p);
    const all = [...loaded.values()];
    progress.max = all.reduce((a, f) => a + f.total, 0) || 1;
    progress.value = all.reduce((a, f) => a + f.loaded, 0);
  },
}).catch((e: unknown) => {
  status.textContent = `Could not load ${modelId || 'the embedded model'}: ${errorText(e)}. Pick another model above.`;
  registerServiceWorker();
  throw e;
});
markOnce('model-ready');
const { device, threads, fallbackReason } = segmenter.backend;
const backendText = `${device}${device === 'wasm' ? ` (${threads} thread${threads > 1 ? 's' : ''})` : ''}${segmenter.backend.decoderPrecision === 'int8' ? ', int8 decoder' : ''}`;
// The bar always says what the model runs on and, when it is not WebGPU, why.
const backendBar = `backend ${backendText}${fallbackReason ? ` (not WebGPU: ${fallbackReason})` : ''} · model ${segmenter.modelId}`;
status.textContent = `Model ${segmenter.modelId} on ${backendText}.${fallbackReason ? ` Not WebGPU: ${fallbackReason}` : ''}`;
bar.textContent = backendBar;

// "Everything" (all masks; a click picks one) and kept objects: demo/everything.ts.
let picked: BinaryMask | undefined;
const current = () => (shown ? binaryMask(shown.response.masks, shown.chosen) : picked);
const everything = installEverything(
  {
    segmenter,
    imageCanvas,
    image: () => image,
    selection: current,
    select: (mask) => {
      selections++;
      [picked, shown, prompts.length] = [mask, undefined, 0];
      candidates.replaceChildren();
      const rgba = maskToRgba(mask, [30, 144, 255, 150]) as Uint8ClampedArray<ArrayBuffer>;
      overlay.getContext('2d')!.putImageData(new ImageData(rgba, mask.width, mask.height), 0, 0);
    },
    deselect: () => {
      selections++;
      [picked, shown, prompts.length] = [undefined, undefined, 0];
      candidates.replaceChildren();
      draw(undefined);
    },
    status: (text) => (status.textContent = text),
  },
  $('clear').parentElement!,
);

async function updateBar(): Promise<void> {
  const s = await segmenter.stats();
  bar.textContent = `${backendBar} · encode ${timing.encodeMs} ms · decode ${timing.decodeMs} ms · cache hits ${s.cacheHits} / misses ${s.cacheMisses}`;
}

/** Shows an image and encodes it once, ahead of the first click. */
function show(source: CanvasImageSource, width: number, height: number): void {
  for (const c of [imageCanvas, overlay]) Object.assign(c, { width, height });
  const ctx = imageCanvas.getContext('2d')!;
  ctx.drawImage(source, 0, 0, width, height);
  pixels = ctx.getImageData(0, 0, width, height);
  // A new image: the last one's prompts, mask and candidates go.
  prompts.length = 0;
  shown = undefined;
  candidates.replaceChildren();
  picked = undefined;
  everything.reset();
  draw(undefined);
  const started = performance.now();
  status.textContent = 'Encoding the image…';
  const current = segmenter.setImage(pixels);
  image = current;
  current.then(
    () => {
      if (image !== current) return;
      markOnce('encoded');
      timing.encodeMs = Math.round(performance.now() - started);
      status.textContent = `Encoded on ${backendText}. Click the image.`;
      void updateBar();
      setTimeout(registerServiceWorker, 10_000);
    },
    (e) => {
      status.textContent = `Error: ${errorText(e)}`;
      registerServiceWorker();
    },
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

/** Draws mask `chosen` of `response` (or nothing) and the prompts. */
function draw(response: SegmentAnything2Response | undefined, chosen = 0, preview = false): void {
  drawOverlay(overlay, response && binaryMask(response.masks, chosen), preview, prompts);
}

function showCandidates(response: SegmentAnything2Response): void {
  candidates.replaceChildren(
    ...Array.from(response.scores.data, (score, k) => {
      const b = document.createElement('button');
      b.textContent = `mask ${k + 1}: ${score.toFixed(3)}`;
      b.className = k === shown?.chosen ? 'chosen' : '';
      b.onclick = () => {
        shown = { response, chosen: k };
        draw(response, k);
        showCandidates(response);
      };
      return b;
    }),
  );
}

/** The gateway request's prompt fields for `all`. */
function promptFields(all: readonly Prompt[]): PromptFields {
  const points = all.filter((p) => p.kind === 'point');
  const box = all.findLast((p) => p.kind === 'box');
  return {
    ...(points.length ? { point_coords: points.map((p) => [p.x, p.y]), point_labels: points.map((p) => p.label) } : {}),
    ...(box ? { box: box.box } : {}),
  };
}

/** The gateway request for the current prompts (plus an optional hover point). */
function request(handle: ImageHandle, extra?: Prompt) {
  return { image: handle, ...promptFields(extra ? [...prompts, extra] : prompts) };
}

async function segment(hover?: Prompt): Promise<void> {
  if (!image) return;
  if (!hover) selections++;
  const epoch = selections;
  if (!hover && prompts.length === 0) {
    // Undo or Clear down to no prompts: no selection (also none picked after Everything).
    [shown, picked] = [undefined, undefined];
    candidates.textContent = '';
    return draw(undefined);
  }
  const current = image;
  try {
    const handle = await current;
    const started = performance.now();
    const response = await segmenter.segment(request(handle, hover), { hover: !!hover, maskFormat: 'bits' });
    // An answer about the previous image, or a preview overtaken by a click, a pick or a kept object, is dropped.
    if (image !== current || (hover && (epoch !== selections || prompts.length > 0 || picked))) return;
    timing.decodeMs = Math.round(performance.now() - started);
    if (hover) return draw(response, 0, true);
    shown = { response, chosen: 0 };
    draw(response);
    markOnce('first-mask');
    showCandidates(response);
    status.textContent = `Mask in ${timing.decodeMs} ms on ${backendText}.`;
    void updateBar();
    registerServiceWorker();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code !== 'ABORTED') status.textContent = `Error: ${err.message ?? String(e)}`;
  }
}

/** The image pixel under the pointer, clamped to the image (a drag may end outside it). */
function toImage(e: MouseEvent): [number, number] {
  const r = imageCanvas.getBoundingClientRect();
  const clamp = (v: number, size: number) => Math.min(size - 1, Math.max(0, Math.round(v)));
  return [clamp(((e.clientX - r.left) / r.width) * imageCanvas.width, imageCanvas.width), clamp(((e.clientY - r.top) / r.height) * imageCanvas.height, imageCanvas.height)];
}

let dragStart: [number, number] | undefined;
imageCanvas.addEventListener('mousedown', (e) => {
  if (e.button === 0) dragStart = toImage(e);
});
// On the window: a box dragged past the image's edge ends there, clamped.
window.addEventListener('mouseup', (e) => {
  if (e.button !== 0 || !dragStart) return;
  const [x0, y0] = dragStart;
  const [x1, y1] = toImage(e);
  dragStart = undefined;
  if (Math.abs(x1 - x0) <= 5 && Math.abs(y1 - y0) <= 5 && everything.pick(x1, y1)) return;
  if (Math.abs(x1 - x0) > 5 && Math.abs(y1 - y0) > 5) {
    prompts.push({ kind: 'box', box: [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)] });
  } else prompts.push({ kind: 'point', x: x1, y: y1, label: e.altKey ? 0 : 1 });
  void segment();
});
imageCanvas.addEventListener('contextmenu', (e) => {
  e.preventDefault();
  const [x, y] = toImage(e);
  prompts.push({ kind: 'point', x, y, label: 0 });
  void segment();
});
imageCanvas.addEventListener('mousemove', (e) => {
  // No preview over a selection: it would hide it.
  if (dragStart || prompts.length > 0 || picked) return;
  const [x, y] = toImage(e);
  void segment({ kind: 'point', x, y, label: 1 });
});

async function openBlob(file: Blob): Promise<void> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    const name = file instanceof File ? `"${file.name}"` : 'That file';
    status.textContent = `${name}${file.type ? ` (${file.type})` : ''} is not an image this browser can open. Try a PNG, JPEG, WebP or GIF file.`;
    return;
  }
  show(bitmap, bitmap.width, bitmap.height);
  bitmap.close();
}

// The official SDK, pointed at the gateway, answered by this page: demo/gateway-panel.ts.
installGatewayPanel(
  {
    segmenter,
    imageCanvas,
    prompt: () => (prompts.length ? promptFields(prompts) : undefined),
    show: (response) => {
      shown = { response, chosen: 0 };
      draw(response);
      showCandidates(response);
    },
  },
  $<HTMLDetailsElement>('gateway'),
);

$('sample').addEventListener('click', drawSample);
$('undo').addEventListener('click', () => {
  prompts.pop();
  void segment();
});
$('clear').addEventListener('click', () => {
  prompts.length = 0;
  void segment();
});
$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void openBlob(file);
});
const stage = $('stage');
stage.addEventListener('dragover', (e) => {
  e.preventDefault();
  stage.classList.add('dragover');
});
stage.addEventListener('dragleave', () => stage.classList.remove('dragover'));
stage.addEventListener('drop', (e) => {
  e.preventDefault();
  stage.classList.remove('dragover');
  const file = e.dataTransfer?.files[0];
  if (file) void openBlob(file);
});
window.addEventListener('paste', (e) => {
  const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (file) void openBlob(file);
});
for (const kind of ['mask', 'cutout', 'rle', 'polygon'] as const satisfies readonly ExportKind[]) {
  $(`export-${kind}`).addEventListener('click', () => {
    const mask = everything.exportMask(current());
    if (!mask || !pixels) {
      status.textContent = 'No mask to export yet: click the image (or drag a box) first.';
      return;
    }
    void downloadExport(kind, mask, pixels);
  });
}
drawSample();
