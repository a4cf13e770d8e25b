/** The wire protocol between the main-thread video tracker and its worker: types only. */
import type { ModelLoadProgress } from '../models/model-loader.js';
import type { BackendInfo } from '../options.js';
import type { ImageInput } from '../types.js';
import type { CorePrompt } from './core.js';
import type { VideoInit } from './start.js';
import type { TrackerMode, VideoFrameResult } from './types.js';

export interface VideoWorkerReady {
  readonly mode: TrackerMode;
  readonly modelId: string;
  readonly backend: BackendInfo;
}

/** The video worker's RPC surface. Calls that run models carry an id that `abort` cancels. */
export interface VideoWorkerApi {
  init(init: Omit<VideoInit, 'onProgress'>, onProgress?: (progress: ModelLoadProgress) => void): Promise<VideoWorkerReady>;
  addPrompt(prompt: CorePrompt, callId: number): Promise<VideoFrameResult>;
  trackFrame(frameIndex: number, frame: ImageInput, reverse: boolean, callId: number): Promise<VideoFrameResult>;
  beginPropagation(startFrame: number | undefined, reverse: boolean, totalFrames?: number): number;
  abort(callId: number): void;
  removeObject(objectId: number): void;
  reset(): void;
  close(): Promise<void>;
}
