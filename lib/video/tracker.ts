/**
 * `createVideoTracker`: the public video API, the same over a worker and on the calling thread. The
 * frame order (stream indices, propagation order) lives here; a {@link TrackerCore} does the model
 * work, in the worker or in-process. Calls run one at a time, in order.
 */
import { SerialQueue } from '../engine/queue.js';
import { errorOf, SegmentAnything2Error, throwIfAborted, closedError } from '../errors.js';
import type { Platform } from '../platform/platform.js';
import type { BackendInfo } from '../options.js';
import type { ImageInput } from '../types.js';
import type { CorePrompt } from './core.js';
import { frameImage } from './frames.js';
import { startTrackerCore, type VideoInit } from './start.js';
import type { FrameSource, PropagateOptions, TrackerMode, VideoFrameInput, VideoFrameResult, VideoPrompt, VideoTracker, VideoTrackerOptions } from './types.js';

/** A core's calls as promises, with a signal each (a worker link aborts them by call id). */
export interface CoreLink {
  addPrompt(prompt: CorePrompt, signal?: AbortSignal): Promise<VideoFrameResult>;
  trackFrame(frameIndex: number, frame: ImageInput, reverse: boolean, signal?: AbortSignal): Promise<VideoFrameResult>;
  beginPropagation(startFrame: number | undefined, reverse: boolean, totalFrames?: number): Promise<number>;
  removeObject(objectId: number): Promise<void>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface StartedLink {
  readonly link: CoreLink;
  readonly mode: TrackerMode;
  readonly modelId: string;
  readonly backend: BackendInfo;
  /** Whether frames cross a worker boundary (elements and canvases become ImageBitmaps first). */
  readonly remote: boolean;
}

class Tracker implements VideoTracker {
  private readonly queue = new SerialQueue();
  private last = -1;
  private closed = false;
  readonly mode: TrackerMode;
  readonly modelId: string;
  readonly backend: BackendInfo;

  constructor(private readonly started: StartedLink) {
    ({ mode: this.mode, modelId: this.modelId, backend: this.backend } = started);
  }

  private get link(): CoreLink {
    if (this.closed) throw closedError();
    return this.started.link;
  }

  /** Runs `fn` with the frame as an engine image, after the calls before it. */
  private withFrame<T>(frame: VideoFrameInput, fn: (image: ImageInput) => Promise<T>): Promise<T> {
    return this.queue.push(async () => {
      const link = this.link;
      const { image, bitmap } = await frameImage(frame, this.started.remote);
      try {
        return await fn(image);
      } finally {
        // A bitmap sent to a worker is transferred (closed here already); one used here is closed now.
        if (!this.started.remote) bitmap?.close();
        void link;
      }
    });
  }

  addPrompt(prompt: VideoPrompt): Promise<VideoFrameResult> {
    return this.withFrame(prompt.frame, async (frame) => {
      const r = await this.link.addPrompt({ ...prompt, frame });
      this.last = r.frameIndex;
      return r;
    });
  }

  track(frame: VideoFrameInput, options: { signal?: AbortSignal } = {}): Promise<VideoFrameResult> {
    return this.withFrame(frame, async (image) => {
      const r = await this.link.trackFrame(this.last + 1, image, false, options.signal);
      this.last = r.frameIndex;
      return r;
    });
  }

  async *propagate(frames: FrameSource, options: PropagateOptions = {}): AsyncIterableIterator<VideoFrameResult> {
    const reverse = options.reverse === true;
    const { signal } = options;
    const isArray = Array.isArray(frames);
    if (reverse && !isArray) throw errorOf('INVALID_PROMPT', 'propagate: reverse tracking needs an array of frames, not a stream.');
    const total = isArray ? (frames as readonly VideoFrameInput[]).length : undefined;
    const start = await this.queue.push(() => this.link.beginPropagation(options.startFrame, reverse, total));
    const step = async (t: number, frame: VideoFrameInput) => {
      throwIfAborted(signal);
      return this.withFrame(frame, async (image) => {
        const r = await this.link.trackFrame(t, image, reverse, signal);
        this.last = r.frameIndex;
        return r;
      });
    };
    if (isArray) {
      const list = frames as readonly VideoFrameInput[];
      if (start >= list.length) throw errorOf('INVALID_PROMPT', `propagate: the start frame ${start} is past the ${list.length} frames given.`);
      for (let t = start; reverse ? t >= 0 : t < list.length; t += reverse ? -1 : 1) yield await step(t, list[t]!);
      return;
    }
    let t = 0;
    for await (const frame of frames as AsyncIterable<VideoFrameInput>) {
      if (t >= start) yield await step(t, frame);
      t++;
    }
  }

  removeObject(objectId: number): Promise<void> {
    return this.queue.push(() => this.link.removeObject(objectId));
  }

  reset(): Promise<void> {
    return this.queue.push(async () => {
      await this.link.reset();
      this.last = -1;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.started.link.close().catch((e) => {
      if (!SegmentAnything2Error.is(e) || e.code !== 'CLOSED') throw e;
    });
  }
}

/** The `createVideoTracker` of one platform. */
export function videoTrackerFactory(
  platform: Platform,
  startWorker?: (init: VideoInit, factory?: () => Worker) => Promise<StartedLink>,
): (options?: VideoTrackerOptions) => Promise<VideoTracker> {
  return async function createVideoTracker(options: VideoTrackerOptions = {}): Promise<VideoTracker> {
    const init: VideoInit = {
      model: options.model,
      onProgress: options.onProgress,
      device: options.device ?? 'auto',
      cacheBytes: options.cacheBytes,
      wasmThreads: options.wasmThreads,
      wasmPaths: options.wasmPaths,
      returnLogits: options.returnLogits,
      correctionsAsConditioning: options.correctionsAsConditioning,
    };
    const worker = options.worker ?? startWorker !== undefined;
    if (worker !== false) {
      if (!startWorker) {
        throw errorOf('BACKEND_UNAVAILABLE', 'There are no Web Workers here; use worker: false.');
      }
      return new Tracker(await startWorker(init, typeof worker === 'function' ? worker : undefined));
    }
    const { core, modelId, backend } = await startTrackerCore(platform, init);
    const link: CoreLink = {
      addPrompt: (p, s) => core.addPrompt(p, s),
      trackFrame: (i, f, r, s) => core.trackFrame(i, f, r, s),
      beginPropagation: async (s, r, n) => core.beginPropagation(s, r, n),
      removeObject: async (id) => core.removeObject(id),
      reset: async () => core.reset(),
      close: () => core.close(),
    };
    return new Tracker({ link, mode: core.mode, modelId, backend, remote: false });
  };
}
