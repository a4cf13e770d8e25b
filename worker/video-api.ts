/** The worker side of the video protocol: one tracker core, calls abortable by id, results transferred. */
import { transfer } from 'comlink';
import { closedError } from '../lib/errors.js';
import type { Platform } from '../lib/platform/platform.js';
import type { TrackerCore } from '../lib/video/core.js';
import type { VideoWorkerApi } from '../lib/video/protocol.js';
import { startTrackerCore } from '../lib/video/start.js';
import type { VideoFrameResult } from '../lib/video/types.js';

function transferred(r: VideoFrameResult): VideoFrameResult {
  const buffers = r.objects.flatMap((o) => [o.mask.data.buffer, ...(o.logits ? [o.logits.data.buffer] : [])]);
  return transfer(r, buffers as Transferable[]);
}

/** Closes an ImageBitmap frame once the core has read it (it was transferred to this worker). */
function closeFrame(frame: unknown): void {
  if (typeof ImageBitmap !== 'undefined' && frame instanceof ImageBitmap) frame.close();
}

export function createVideoWorkerApi(platform: Platform): VideoWorkerApi {
  let core: TrackerCore | undefined;
  const calls = new Map<number, AbortController>();
  const ready = (): TrackerCore => {
    if (!core) throw closedError();
    return core;
  };
  const abortable = async (callId: number, frame: unknown, fn: (signal: AbortSignal) => Promise<VideoFrameResult>) => {
    const controller = new AbortController();
    calls.set(callId, controller);
    try {
      return transferred(await fn(controller.signal));
    } finally {
      calls.delete(callId);
      closeFrame(frame);
    }
  };
  return {
    async init(init, onProgress) {
      const started = await startTrackerCore(platform, { ...init, onProgress });
      core = started.core;
      return { mode: core.mode, modelId: started.modelId, backend: started.backend };
    },
    addPrompt: (prompt, callId) => abortable(callId, prompt.frame, (signal) => ready().addPrompt(prompt, signal)),
    trackFrame: (frameIndex, frame, reverse, callId) => abortable(callId, frame, (signal) => ready().trackFrame(frameIndex, frame, reverse, signal)),
    beginPropagation: (startFrame, reverse, totalFrames) => ready().beginPropagation(startFrame, reverse, totalFrames),
    abort: (callId) => calls.get(callId)?.abort(),
    removeObject: (objectId) => ready().removeObject(objectId),
    reset: () => ready().reset(),
    close: async () => {
      await core?.close();
      core = undefined;
    },
  };
}
