/**
 * The demo's Video tab: a video file, the camera or a generated clip, tracked in the video worker.
 * Paused, a click prompts the current object on the shown frame (a correction once it was tracked);
 * playing tracks every frame the tracker keeps up with. Masks export as COCO RLE JSON lines (one
 * line per frame) and, where MediaRecorder exists, as a WebM mask video.
 */
import { createVideoTracker, toCocoRle, type VideoFrameResult } from '../lib/index.js';
import { diskClip } from './video-clip.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const view = $<HTMLCanvasElement>('view');
const video = $<HTMLVideoElement>('video');
const status = $<HTMLDivElement>('status');
const ctx = view.getContext('2d', { willReadFrequently: true })!;
const COLOURS: Array<[number, number, number]> = [[255, 80, 60], [60, 160, 255], [90, 220, 90], [250, 200, 40], [200, 90, 240]];

const tracker = await createVideoTracker({ wasmPaths: import.meta.env.PROD ? new URL('/ort/', location.href).href : undefined });
const modeText = `${tracker.mode} mode, ${tracker.modelId} on ${tracker.backend.device}`;
status.textContent = `Ready: ${modeText}. Open a video, the camera or the sample clip.`;

/** The source: a generated clip (frames in memory) or a <video> (file or camera). */
let clip: ImageData[] | undefined;
let clipIndex = 0;
let frameIndex = 0;
let objectId = 1;
let playing = false;
let last: VideoFrameResult | undefined;
/** One RLE line per tracked frame, by frame index. */
const lines = new Map<number, string>();
let recorder: MediaRecorder | undefined;
/** The recorded canvas track: one video frame per drawn result (captureStream(0) + requestFrame). */
let recordedTrack: CanvasCaptureMediaStreamTrack | undefined;
/** Settles once the last recording has delivered its final chunk. */
let recorderStopped: Promise<void> = Promise.resolve();
/** The chunks of the latest recording (each Play starts a new one). */
let recorded: Blob[] = [];
let lastMs = 0;

function say(extra = ''): void {
  status.textContent = `${modeText} · frame ${frameIndex} · ${last ? last.objects.length : 0} object(s) · ${lastMs.toFixed(0)} ms/frame${extra ? ` · ${extra}` : ''}`;
}

/** The shown frame as ImageData (drawn from the current source). */
function currentFrame(): ImageData {
  if (clip) return clip[clipIndex]!;
  view.width = video.videoWidth;
  view.height = video.videoHeight;
  ctx.drawImage(video, 0, 0);
  return ctx.getImageData(0, 0, view.width, view.height);
}

function draw(frame: ImageData, result?: VideoFrameResult): void {
  view.width = frame.width;
  view.height = frame.height;
  const out = new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height);
  for (const o of result?.objects ?? []) {
    const [r, g, b] = COLOURS[(o.objectId - 1) % COLOURS.length]!;
    o.mask.data.forEach((v, i) => {
      if (!v) return;
      out.data[4 * i] = (out.data[4 * i]! + r) / 2;
      out.data[4 * i + 1] = (out.data[4 * i + 1]! + g) / 2;
      out.data[4 * i + 2] = (out.data[4 * i + 2]! + b) / 2;
    });
  }
  ctx.putImageData(out, 0, 0);
  recordedTrack?.requestFrame();
}

function record(result: VideoFrameResult): void {
  last = result;
  const objects = result.objects.map((o) => ({ objectId: o.objectId, score: o.score, visible: o.visible, segmentation: toCocoRle({ data: o.mask.data, width: o.mask.dims[1], height: o.mask.dims[0] }) }));
  lines.set(result.frameIndex, JSON.stringify({ frameIndex: result.frameIndex, objects }));
}

async function trackOne(): Promise<void> {
  const frame = currentFrame();
  const t0 = performance.now();
  const result = await tracker.track(frame);
  lastMs = performance.now() - t0;
  frameIndex = result.frameIndex;
  record(result);
  draw(frame, result);
  say();
}

async function play(): Promise<void> {
  if (playing || !last) return;
  playing = true;
  startRecording();
  if (clip) {
    while (playing && clipIndex + 1 < clip.length) {
      clipIndex++;
      await trackOne();
    }
    playing = false;
  } else {
    await video.play();
    // Each presented frame is tracked when the tracker is free; frames meanwhile are skipped. The
    // end of a file stops tracking (and the recording) once the frame in flight is done.
    let inFlight: Promise<void> | undefined;
    const step = async () => {
      if (!playing) return;
      inFlight = trackOne();
      await inFlight;
      inFlight = undefined;
      if (video.ended) finish();
      else video.requestVideoFrameCallback(() => void step());
    };
    video.addEventListener('ended', () => (inFlight ? void inFlight.then(finish) : finish()), { once: true });
    video.requestVideoFrameCallback(() => void step());
    return;
  }
  finish();
}

/** The end of a clip or file: stop tracking and recording. */
function finish(): void {
  if (!playing && !recorder) return;
  playing = false;
  stopRecording();
  say('done');
}

function pause(): void {
  playing = false;
  video.pause();
  stopRecording();
}

function startRecording(): void {
  if (typeof MediaRecorder === 'undefined' || recorder || !('captureStream' in view)) return;
  const stream = view.captureStream(0);
  recordedTrack = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
  recorder = new MediaRecorder(stream, { mimeType: MediaRecorder.isTypeSupported('video/webm') ? 'video/webm' : '' });
  const chunks: Blob[] = (recorded = []);
  recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  recorder.start(250);
  // The frame shown when playing starts (the prompted one) opens the video.
  recordedTrack.requestFrame();
}

function stopRecording(): void {
  const r = recorder;
  recorder = undefined;
  recordedTrack = undefined;
  if (!r || r.state === 'inactive') return;
  recorderStopped = new Promise((resolve) => {
    r.addEventListener('stop', () => resolve(), { once: true });
    // The last requested frame reaches the recorder with the next paint: stop after it.
    setTimeout(() => r.stop(), 200);
  });
}

async function reset(): Promise<void> {
  pause();
  await tracker.reset();
  frameIndex = 0;
  clipIndex = 0;
  objectId = 1;
  last = undefined;
  lines.clear();
  recorded = [];
}

$('sample').addEventListener('click', async () => {
  await reset();
  clip = diskClip();
  draw(clip[0]!);
  status.textContent = `${modeText} · sample clip of ${clip.length} frames: click the disk, then Play.`;
});
$<HTMLInputElement>('file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  await reset();
  clip = undefined;
  video.srcObject = null;
  video.src = URL.createObjectURL(file);
  await new Promise((r) => video.addEventListener('loadeddata', r, { once: true }));
  draw(currentFrame());
  say('click objects, then Play');
});
$('camera').addEventListener('click', async () => {
  await reset();
  clip = undefined;
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  await video.play();
  await new Promise((r) => video.requestVideoFrameCallback(r));
  video.pause();
  draw(currentFrame());
  say('camera paused: click objects, then Play');
});
$('new-object').addEventListener('click', () => {
  if (last?.objects.some((o) => o.objectId === objectId)) objectId++;
  say(`next click: object ${objectId}`);
});
$('play').addEventListener('click', () => void play());
$('pause').addEventListener('click', pause);
view.addEventListener('contextmenu', (e) => e.preventDefault());
view.addEventListener('pointerdown', async (e) => {
  if (playing) return;
  const rect = view.getBoundingClientRect();
  const x = ((e.clientX - rect.left) / rect.width) * view.width;
  const y = ((e.clientY - rect.top) / rect.height) * view.height;
  const frame = currentFrame();
  const t0 = performance.now();
  const result = await tracker.addPrompt({ frameIndex, frame, objectId, point_coords: [[x, y]], point_labels: [e.button === 2 ? 0 : 1] });
  lastMs = performance.now() - t0;
  record(result);
  draw(frame, result);
  say(`object ${objectId} prompted`);
});

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
}
$('export-rle').addEventListener('click', () => {
  const text = [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l).join('\n');
  download(new Blob([`${text}\n`], { type: 'application/x-ndjson' }), 'masks.coco-rle.jsonl');
});
$('export-webm').addEventListener('click', async () => {
  await recorderStopped;
  if (!recorded.length) {
    say('no mask video recorded (MediaRecorder unavailable, or nothing played yet)');
    return;
  }
  download(new Blob(recorded, { type: 'video/webm' }), 'masks.webm');
});
