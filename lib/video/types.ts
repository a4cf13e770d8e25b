/** The public types of video tracking (`createVideoTracker`). */
import type { ModelLoadProgress } from '../models/model-loader.js';
import type { ModelSpec } from '../models/model-spec.js';
import type { VideoModelSpec } from './video-models.js';
import type { BackendInfo, ExecutionProvider } from '../options.js';
import type { BooleanField, ImageInput, PromptField, Tensor } from '../types.js';

/** A video frame: any image the image API takes, or a WebCodecs `VideoFrame`, or a `<video>` element (its current frame). */
export type VideoFrameInput = ImageInput | VideoFrame | HTMLVideoElement;

/**
 * `'memory'`: SAM2's video tracking (memory bank, memory attention, object pointers), with the SAM2
 * video graphs. `'propagation'`: image-only models; each frame is prompted with the previous
 * frame's mask logits and box. Not SAM2's memory tracking.
 */
export type TrackerMode = 'memory' | 'propagation';

/** Clicks and/or a box for one object on one frame, with the gateway's field names and forms. */
export interface VideoPrompt {
  readonly frameIndex: number;
  /** The frame's image; required, since frames are not kept. */
  readonly frame: VideoFrameInput;
  /** Any integer; new ids start a new object. */
  readonly objectId: number;
  readonly point_coords?: PromptField;
  readonly point_labels?: PromptField;
  readonly box?: PromptField;
  /** Coordinates are pixels (default `true`) or already in [0, 1]. */
  readonly normalize_coords?: BooleanField;
  /**
   * Forget this object's earlier clicks on this frame first (SAM2's `clear_old_points`). By default
   * clicks on one frame accumulate, so a second click refines the first.
   * @defaultValue false
   */
  readonly clearOldPoints?: boolean;
}

/** One object on one frame. */
export interface TrackedObject {
  readonly objectId: number;
  /** 0/1 per pixel at the frame's size. */
  readonly mask: { readonly data: Uint8Array; readonly dims: readonly [number, number] };
  /** Low-res logits [256, 256], when the tracker was created with `returnLogits`. */
  readonly logits?: Tensor<Float32Array>;
  /** The decoder's predicted IoU of the mask. */
  readonly score: number;
  /** False when the object is not found on this frame (its mask is then empty). */
  readonly visible: boolean;
}

export interface VideoFrameResult {
  readonly frameIndex: number;
  /** Every object tracked on this frame, by ascending id. */
  readonly objects: readonly TrackedObject[];
}

export interface PropagateOptions {
  /** The first frame. @defaultValue the earliest prompted frame (SAM2's `start_frame_idx`) */
  readonly startFrame?: number;
  /** Track towards frame 0. Needs an array of frames (an async source cannot go backwards). */
  readonly reverse?: boolean;
  readonly signal?: AbortSignal;
}

export type FrameSource = readonly VideoFrameInput[] | Iterable<VideoFrameInput> | AsyncIterable<VideoFrameInput>;

export interface VideoTrackerOptions {
  /**
   * A SAM2.1 video export (memory mode: an id of `SAM2_VIDEO_MODELS` or a {@link VideoModelSpec}),
   * or an image model (propagation mode: a registry id or a ModelSpec). @defaultValue the embedded model
   */
  model?: string | ModelSpec | VideoModelSpec;
  /** Run in a module Web Worker (browsers' default) or on the calling thread. */
  worker?: boolean | (() => Worker);
  /** @defaultValue `'auto'` */
  device?: 'auto' | ExecutionProvider;
  onProgress?: (progress: ModelLoadProgress) => void;
  /** Byte budget of the frame-embedding cache. */
  cacheBytes?: number;
  wasmThreads?: number;
  wasmPaths?: string;
  /** Include each object's low-res logits in results. @defaultValue false */
  returnLogits?: boolean;
  /**
   * Store a correction (a prompt on a frame already tracked for that object) as a conditioning
   * frame, which later propagation keeps (SAM2's `add_all_frames_to_correct_as_cond`). By default it
   * is non-conditioning, as in SAM2: the next `propagate` that passes it re-tracks it.
   * @defaultValue false
   */
  correctionsAsConditioning?: boolean;
}

export interface VideoTracker {
  readonly mode: TrackerMode;
  readonly modelId: string;
  readonly backend: BackendInfo;
  /** Adds or corrects an object on a frame and returns that frame's objects. */
  addPrompt(prompt: VideoPrompt): Promise<VideoFrameResult>;
  /** Tracks every object onto the next frame of a stream (the frame after the last one seen). */
  track(frame: VideoFrameInput, options?: { signal?: AbortSignal }): Promise<VideoFrameResult>;
  /** Tracks a clip (an array, or a sync or async source of frames, index 0 first). */
  propagate(frames: FrameSource, options?: PropagateOptions): AsyncIterableIterator<VideoFrameResult>;
  /** Forgets an object. */
  removeObject(objectId: number): Promise<void>;
  /** Forgets every object and prompt. */
  reset(): Promise<void>;
  /** Releases the model. Idempotent. */
  close(): Promise<void>;
}
