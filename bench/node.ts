/** The Node part of `npm run bench`: the in-process engine on onnxruntime-web's Node build (wasm). */
import { createSegmenter } from '../lib/node.js';
import { PROMPTS, scene, summarize } from './cases.js';

export async function runNode(n: number) {
  const segmenter = await createSegmenter({ worker: false });
  try {
    const t0 = performance.now();
    const image = await segmenter.setImage(scene(0));
    const encodeMs = Math.round(performance.now() - t0);
    const times: number[] = [];
    for (let i = -8; i < n; i++) {
      const t = performance.now();
      await segmenter.segment({ image, ...PROMPTS['1 point']!(i) });
      if (i >= 0) times.push(performance.now() - t);
    }
    return { threads: segmenter.backend.threads, encodeMs, prompt: summarize(times) };
  } finally {
    await segmenter.close();
  }
}
