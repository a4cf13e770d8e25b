/**
 * The mode-independent part of a tracker: what the worker exposes (a {@link TrackerCore}), the
 * per-object prompt bookkeeping (clicks per frame, conditioning vs non-conditioning), and the
 * propagation order. Pure: no onnxruntime here.
 */
import { promptError, errorOf } from '../errors.js';
import { checkPrompts } from '../pipeline/prompts.js';
import { parseRequest } from '../pipeline/request.js';
import type { ImageInput } from '../types.js';
import type { TrackerMode, TrackedObject, VideoFrameResult, VideoPrompt } from './types.js';

/** A prompt whose frame is already an image the engine decodes (what crosses the worker boundary). */
export type CorePrompt = Omit<VideoPrompt, 'frame'> & { readonly frame: ImageInput };

/** One tracker mode's engine side: the worker's RPC surface, also used directly on the calling thread. */
export interface TrackerCore {
  readonly mode: TrackerMode;
  addPrompt(prompt: CorePrompt, signal?: AbortSignal): Promise<VideoFrameResult>;
  /** Tracks every object onto `frameIndex`; `reverse` says which neighbour it comes from. */
  trackFrame(frameIndex: number, frame: ImageInput, reverse: boolean, signal?: AbortSignal): Promise<VideoFrameResult>;
  /**
   * Prepares a propagation and returns its first frame (the earliest conditioning frame by default).
   * `totalFrames`: the clip's length, when known (pointer distances are scaled by it).
   */
  beginPropagation(startFrame: number | undefined, reverse: boolean, totalFrames?: number): number;
  removeObject(objectId: number): void;
  reset(): void;
  close(): Promise<void>;
}

/** Clicks (pixels of the frame) and box of one object on one frame. */
export interface FrameClicks {
  readonly points: number[];
  readonly labels: number[];
  box?: [number, number, number, number];
}

/**
 * A prompt's clicks and box, checked as the image API checks them (before any model run), as a
 * function of the frame size that gives them in pixels. At least one click or a box is required.
 */
export function promptClicks(prompt: CorePrompt, modelId: string): (width: number, height: number) => FrameClicks {
  checkFrameIndex(prompt.frameIndex);
  if (!Number.isInteger(prompt.objectId)) throw errorOf('INVALID_PROMPT', `objectId must be an integer, got ${String(prompt.objectId)}.`);
  const { point_coords, point_labels, box, normalize_coords } = prompt;
  const parsed = parseRequest({ image: prompt.frame, point_coords, point_labels, box, normalize_coords }, modelId);
  const checked = checkPrompts(parsed);
  if (checked.labels.length === 0 && !checked.box) throw promptError('a video prompt needs point_coords and point_labels, or a box');
  return (width, height) => {
    const [sx, sy] = checked.normalizeCoords ? [1, 1] : [width, height];
    const points: number[] = [];
    for (let i = 0; i < checked.labels.length; i++) points.push(checked.points[2 * i]! * sx, checked.points[2 * i + 1]! * sy);
    const b = checked.box;
    return { points, labels: [...checked.labels], box: b ? [b[0]! * sx, b[1]! * sy, b[2]! * sx, b[3]! * sy] : undefined };
  };
}

export function checkFrameIndex(frameIndex: number): void {
  if (!Number.isInteger(frameIndex) || frameIndex < 0) throw errorOf('INVALID_PROMPT', `frameIndex must be a non-negative integer, got ${String(frameIndex)}.`);
}

/** Merges new clicks into a frame's earlier ones (SAM2's `clear_old_points=False`); a new box replaces the old. */
export function mergeClicks(old: FrameClicks | undefined, next: FrameClicks, clearOld: boolean): FrameClicks {
  if (!old || clearOld) return next;
  return { points: [...old.points, ...next.points], labels: [...old.labels, ...next.labels], box: next.box ?? old.box };
}

/** SAM2's multimask rule: several candidates when a frame has at most one click and no box. */
export function wantsMultimask(clicks: FrameClicks): boolean {
  return clicks.labels.length + (clicks.box ? 2 : 0) <= 1;
}

/**
 * Per-object bookkeeping shared by both modes. `S` is one tracked frame's state (a mode's "Out").
 * `cond` holds prompted (conditioning) frames, which propagation reuses; `noncond` tracked frames.
 */
export class ObjectState<S> {
  readonly clicks = new Map<number, FrameClicks>();
  readonly cond = new Map<number, S>();
  readonly noncond = new Map<number, S>();
  /**
   * Frames that tracking reached (SAM2's `frames_tracked_per_obj`). A prompt there is a correction;
   * a prompt on a frame only prompted so far is still an initial one. A mode may keep fewer states
   * in `noncond` than this holds.
   */
  readonly tracked = new Set<number>();

  constructor(readonly objectId: number) {}

  /** Whether a prompt on `frameIndex` is a correction (the frame already has a result). */
  isTracked(frameIndex: number): boolean {
    return this.tracked.has(frameIndex);
  }

  /** The state of `frameIndex`, conditioning first. */
  at(frameIndex: number): S | undefined {
    return this.cond.get(frameIndex) ?? this.noncond.get(frameIndex);
  }

  /**
   * Stores a prompted frame's result: a first prompt is conditioning; a correction keeps the frame's
   * kind unless `asCond` (then it becomes conditioning).
   */
  storePrompted(frameIndex: number, state: S, correction: boolean, asCond: boolean): 'cond' | 'noncond' {
    const kind = !correction || asCond || this.cond.has(frameIndex) ? 'cond' : 'noncond';
    if (kind === 'cond') {
      this.cond.set(frameIndex, state);
      this.noncond.delete(frameIndex);
    } else this.noncond.set(frameIndex, state);
    return kind;
  }
}

/** SAM2's default start frame: the earliest conditioning frame of any object. */
export function defaultStartFrame(objects: Iterable<ObjectState<unknown>>): number {
  let start = Infinity;
  for (const o of objects) for (const t of o.cond.keys()) start = Math.min(start, t);
  if (start === Infinity) throw errorOf('INVALID_PROMPT', 'Nothing to track: add a prompt with addPrompt() first.');
  return start;
}

/** Every object's stored result on frame `t` (copies), by ascending id. */
export function resultsAt(objects: Iterable<ObjectState<{ readonly result: TrackedObject }>>, t: number): VideoFrameResult {
  const out: TrackedObject[] = [];
  for (const o of objects) {
    const s = o.at(t);
    if (s) out.push(copyObject(s.result));
  }
  return frameResult(t, out);
}

/** Results in ascending object id. */
export function frameResult(frameIndex: number, objects: TrackedObject[]): VideoFrameResult {
  return { frameIndex, objects: objects.sort((a, b) => a.objectId - b.objectId) };
}

/** A copy of a stored result (so that transferring one across the worker never empties the store). */
export function copyObject(o: TrackedObject): TrackedObject {
  return {
    ...o,
    mask: { data: o.mask.data.slice(), dims: o.mask.dims },
    ...(o.logits ? { logits: { data: o.logits.data.slice(), dims: o.logits.dims } } : {}),
  };
}

/** `box` grown by `margin` of its width and height on every side, clipped to the W×H frame. */
export function expandBox(box: readonly [number, number, number, number], margin: number, width: number, height: number): [number, number, number, number] {
  const mx = margin * (box[2] - box[0] + 1);
  const my = margin * (box[3] - box[1] + 1);
  return [Math.max(0, box[0] - mx), Math.max(0, box[1] - my), Math.min(width - 1, box[2] + mx), Math.min(height - 1, box[3] + my)];
}
