/** The worker side of the protocol: one engine, its calls made abortable by id, results transferred. */
import { transfer } from 'comlink';
import type { AutomaticProgress } from '../lib/automatic.js';
import { generateMasks, segmentObjects } from '../lib/engine/automatic.js';
import type { SegmentEngine } from '../lib/engine/engine.js';
import { startEngine } from '../lib/engine/start.js';
import { errorOf } from '../lib/errors.js';
import type { Platform } from '../lib/platform/platform.js';
import type { WireCallOptions, WorkerApi, WorkerReady } from '../lib/protocol.js';
import type { SegmentAnything2Response } from '../lib/types.js';

function buffersOf(r: SegmentAnything2Response): Transferable[] {
  return [...new Set([r.masks.data.buffer, r.scores.data.buffer, r.logits.data.buffer])] as Transferable[];
}

export function createWorkerApi(platform: Platform): WorkerApi {
  let engine: SegmentEngine | undefined;
  const calls = new Map<number, AbortController>();

  const ready = (): SegmentEngine => {
    if (!engine) throw errorOf('CLOSED', 'The worker has no engine: init() first.');
    return engine;
  };
  /** Runs `fn` with an AbortSignal that `abort(callId)` fires. */
  const abortable = async <T>(callId: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    calls.set(callId, controller);
    try {
      return await fn(controller.signal);
    } finally {
      calls.delete(callId);
    }
  };

  return {
    async init(init, onProgress): Promise<WorkerReady> {
      const started = await startEngine(platform, { ...init, onProgress });
      engine = started.engine;
      return { modelId: engine.modelId, backend: started.backend };
    },
    segment: ({ ...request }, { callId, ...options }: WireCallOptions) =>
      abortable(callId, async (signal) => {
        const response = await ready().segment(request, { ...options, signal });
        return transfer(response, buffersOf(response));
      }),
    generateMasks: (image, { callId, ...options }, onProgress) =>
      abortable(callId, async (signal) => {
        // Progress travels on its own port: the last report is awaited so it lands before the result.
        let reported: unknown;
        const report = onProgress && ((p: AutomaticProgress) => void (reported = onProgress(p)));
        const records = await generateMasks(ready(), image, { ...options, signal, onProgress: report });
        await reported;
        const buffers = records.flatMap((r) => ('data' in r.segmentation ? [r.segmentation.data.buffer as ArrayBuffer] : []));
        return transfer(records, buffers);
      }),
    segmentObjects: (image, prompts, { callId, ...options }) =>
      abortable(callId, async (signal) => {
        const responses = await segmentObjects(ready(), image, prompts, { ...options, signal });
        return transfer(responses, [...new Set(responses.flatMap(buffersOf))]);
      }),
    setImage: (image, { callId }) => abortable(callId, (signal) => ready().setImage(image, { signal })),
    abort: (callId) => calls.get(callId)?.abort(),
    releaseImage: (id) => ready().releaseImage(id),
    stats: () => ready().stats(),
    close: async () => {
      await engine?.close();
      engine = undefined;
    },
  };
}
